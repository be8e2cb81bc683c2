#!/bin/bash
# ABBA order, 1 thread: wall sec_per_epoch from the bench and the process's user+sys CPU seconds.
B=/tmp/finite_exp/xgrad_bench_base; A=${AFTER:-/tmp/finite_exp/xgrad_bench_finite}
cfg="$1"
for r in 1 2 3 4; do
  order="before after"; [ $((r % 2)) = 0 ] && order="after before"
  for who in $order; do
    bin=$B; [ $who = after ] && bin=$A
    TIMEFORMAT="%U %S"; { t=$( { time $bin mlp $cfg threads=1 > /tmp/finite_exp/out.$$ ; } 2>&1 ); }
    echo "$who $(grep -o 'sec_per_epoch=[0-9.]*' /tmp/finite_exp/out.$$) cpu_user_sys=$t"
  done
done
