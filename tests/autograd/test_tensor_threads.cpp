// Tensors shared between threads: the intrusive reference count (detail::ImplRef)
// and the per-thread pools of spare tensors (detail::ImplPool). A tensor made on
// one thread may be copied and dropped on others, outlive the thread that made
// it, and be freed (or pooled) by any of them; its value never changes meanwhile.
#include <atomic>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include <xgrad/xgrad.hpp>

using namespace xgrad;

namespace {
float checksum(const Tensor& t)
{
    float s = 0.0f;
    for (float v : t.value()) s += v;
    return s;
}
}  // namespace

TEST_CASE("tensors: copies made and dropped on several threads keep the value alive and intact")
{
    // Small (pooled), medium (pooled with its array) and large (freed) tensors.
    const std::vector<Tensor> shared{scalar(3.0f), Tensor(xt::xarray<float>(Shape{8, 16}, 0.25f)),
                                     Tensor(xt::xarray<float>(Shape{300, 200}, 1.0f))};
    const std::vector<float> expected{3.0f, 32.0f, 60000.0f};
    std::atomic<int> bad{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&] {
            for (int i = 0; i < 2000; ++i) {
                std::vector<Tensor> copies(shared.begin(), shared.end());
                Tensor again = copies[static_cast<std::size_t>(i) % copies.size()];
                // New tensors of the same shapes on this thread: they take this thread's spares.
                const Tensor sum = add(copies[1], copies[1]);
                if (checksum(sum) != 64.0f) ++bad;
                if (checksum(again) != expected[static_cast<std::size_t>(i) % copies.size()]) ++bad;
            }
        });
    }
    for (auto& th : threads) th.join();
    CHECK(bad.load() == 0);
    for (std::size_t k = 0; k < shared.size(); ++k) CHECK(checksum(shared[k]) == expected[k]);
}

TEST_CASE("tensors: a tensor outlives the thread that made it, and the last holder frees it on its own thread")
{
    std::vector<Tensor> made;
    std::thread maker([&] {
        for (int i = 0; i < 100; ++i) {
            made.push_back(Tensor(xt::xarray<float>(Shape{4}, static_cast<float>(i))));    // pooled size
            made.push_back(Tensor(xt::xarray<float>(Shape{64, 64}, static_cast<float>(i))));  // medium
        }
        // This thread's pools go with it; the tensors above stay alive in `made`.
    });
    maker.join();
    for (int i = 0; i < 100; ++i) {
        CHECK(checksum(made[static_cast<std::size_t>(2 * i)]) == 4.0f * static_cast<float>(i));
        CHECK(checksum(made[static_cast<std::size_t>(2 * i + 1)]) == 4096.0f * static_cast<float>(i));
    }
    made.clear();  // released here: into this thread's pool, or freed
    // Spares taken over from the other thread's tensors hold a fresh id and the new value.
    const Tensor a(xt::xarray<float>(Shape{4}, 1.0f));
    const Tensor b = add(a, a);
    CHECK(checksum(b) == 8.0f);
    CHECK(a.id() != b.id());
}

TEST_CASE("tensors: a pooled tensor is renewed: a fresh id, no variable flags, no name")
{
    std::uint64_t old_id = 0;
    {
        Variable v(xt::xarray<float>(Shape{3}, 2.0f), "pooled_variable");
        old_id = v.id();
    }
    // The next tensor of shape (3) may take over the variable's spare impl.
    const Tensor x(xt::xarray<float>(Shape{3}, 1.0f));
    const Tensor y = add(x, x);
    CHECK_FALSE(y.is_variable());
    CHECK(y.id() != old_id);
    CHECK(checksum(y) == 6.0f);
    GradientTape tape;
    const Tensor z = mul(y, y);  // y is neither trainable nor watched: nothing is recorded
    CHECK(tape.watched_variables().empty());
    CHECK_FALSE(tape.gradient(z, x).defined());
}
