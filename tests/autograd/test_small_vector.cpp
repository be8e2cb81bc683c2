// detail::SmallVector, the inline-then-heap vector behind tape records and nodes:
// only the elements pushed are alive, the spill to the heap keeps their order and
// values, reserve() holds across the spill, clear() and the destructor destroy each
// element once.
#include <catch2/catch.hpp>

#include <memory>
#include <string>

#include <xgrad/autograd/detail/node.hpp>

namespace {

using xgrad::detail::SmallVector;

// Counts live objects; a moved-from one stays alive (and counted) until destroyed.
struct Counted {
    static inline int alive = 0;
    explicit Counted(int v) : value(v) { ++alive; }
    Counted(const Counted& o) : value(o.value) { ++alive; }
    Counted(Counted&& o) noexcept : value(o.value) { o.value = -1; ++alive; }
    Counted& operator=(const Counted&) = default;
    Counted& operator=(Counted&&) = default;
    ~Counted() { --alive; }
    int value;
};

template <std::size_t N>
void check_values(const SmallVector<Counted, N>& v, int count)
{
    REQUIRE(v.size() == static_cast<std::size_t>(count));
    for (int i = 0; i < count; ++i) CHECK(v[static_cast<std::size_t>(i)].value == i);
}

}  // namespace

TEST_CASE("SmallVector constructs only the elements pushed and destroys each once")
{
    Counted::alive = 0;
    {
        SmallVector<Counted, 4> v;
        CHECK(Counted::alive == 0);  // raw inline storage: nothing built up front
        CHECK(v.empty());
        for (int i = 0; i < 3; ++i) v.push_back(Counted(i));
        CHECK(Counted::alive == 3);
        check_values(v, 3);
        v.clear();
        CHECK(Counted::alive == 0);
        CHECK(v.empty());
        for (int i = 0; i < 2; ++i) v.push_back(Counted(i));  // reuse after clear()
        check_values(v, 2);
    }
    CHECK(Counted::alive == 0);
}

TEST_CASE("SmallVector spills to the heap in order, with and without reserve")
{
    for (const bool reserved : {false, true}) {
        INFO("reserve(20) first: " << reserved);
        Counted::alive = 0;
        {
            SmallVector<Counted, 4> v;
            if (reserved) v.reserve(20);
            for (int i = 0; i < 11; ++i) {
                const Counted c(i);
                v.push_back(c);  // the copy overload
            }
            check_values(v, 11);
            CHECK(Counted::alive == 11);  // the moved-from inline elements are gone
            CHECK(v.end() - v.begin() == 11);
            v.clear();
            CHECK(Counted::alive == 0);
            for (int i = 0; i < 6; ++i) v.push_back(Counted(i));  // spills again after clear()
            check_values(v, 6);
            CHECK(Counted::alive == 6);
        }
        CHECK(Counted::alive == 0);
    }
}

TEST_CASE("SmallVector holds non-trivial values across the spill (shared_ptr, string)")
{
    auto shared = std::make_shared<int>(7);
    {
        SmallVector<std::shared_ptr<int>, 2> v;
        for (int i = 0; i < 5; ++i) v.push_back(shared);
        CHECK(shared.use_count() == 6);
        v.clear();
        CHECK(shared.use_count() == 1);
        v.push_back(shared);
        CHECK(shared.use_count() == 2);
    }
    CHECK(shared.use_count() == 1);

    SmallVector<std::string, 2> names;
    for (int i = 0; i < 5; ++i) names.push_back(std::string(40, static_cast<char>('a' + i)));  // heap strings
    REQUIRE(names.size() == 5);
    for (std::size_t i = 0; i < 5; ++i) CHECK(names[i] == std::string(40, static_cast<char>('a' + i)));
}

TEST_CASE("SmallVector::assign fills an empty vector inline or on the heap")
{
    SmallVector<int, 4> inline_ints;
    inline_ints.assign(3, 9);
    REQUIRE(inline_ints.size() == 3);
    for (int x : inline_ints) CHECK(x == 9);

    SmallVector<int, 4> heap_ints;
    heap_ints.assign(10, 5);
    REQUIRE(heap_ints.size() == 10);
    for (int x : heap_ints) CHECK(x == 5);
    heap_ints.push_back(6);
    CHECK(heap_ints.size() == 11);
    CHECK(heap_ints[10] == 6);
}
