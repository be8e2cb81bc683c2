// This thread's instance of a per-thread cache (spare buffers, spare tensors,
// spare hash tables), made on first use. Once the thread's instance has been
// destroyed (the thread is exiting), it answers nullptr: objects that die later
// (other thread_local or static ones) then free their memory normally instead
// of handing it to a cache that is gone.
#pragma once

namespace xgrad::detail {

template <class Cache>
Cache* this_thread_instance()
{
    struct Holder {
        Cache cache;
        bool* gone;
        ~Holder() { *gone = true; }
    };
    thread_local bool gone = false;  // trivially destructible: readable all through thread exit
    if (gone) [[unlikely]] return nullptr;
    thread_local Holder holder{{}, &gone};
    return &holder.cache;
}

}  // namespace xgrad::detail
