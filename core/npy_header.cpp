#include <xgrad/core/npy_header.hpp>

#include <cctype>
#include <cstdint>

#include <xgrad/core/error.hpp>

namespace xgrad::detail {

namespace {

class HeaderParser {
public:
    HeaderParser(const std::string& text, const std::string& source) : text_(text), source_(source) {}

    NpyHeader parse()
    {
        NpyHeader h;
        bool seen_descr = false, seen_order = false, seen_shape = false;
        expect('{');
        while (skip_space() != '}') {
            const std::string key = string_literal("a quoted key");
            expect(':');
            skip_space();
            if (key == "descr") {
                once(seen_descr, key);
                h.descr = string_literal("a quoted dtype for 'descr'");
            } else if (key == "fortran_order") {
                once(seen_order, key);
                h.fortran_order = boolean();
            } else if (key == "shape") {
                once(seen_shape, key);
                h.shape = tuple();
            } else {
                fail(cat("unknown key '", key, "' (a .npy header has 'descr', 'fortran_order' and 'shape')"));
            }
            if (skip_space() != ',') break;
            ++pos_;
        }
        expect('}');
        if (skip_space() != '\0') fail("text after the closing '}'");
        if (!seen_shape) throw IOError(cat("load_npy: '", source_, "' has no shape in its header: ", text_));
        if (!seen_descr) fail("no 'descr' key");
        if (!seen_order) fail("no 'fortran_order' key");
        return h;
    }

private:
    [[noreturn]] void fail(const std::string& what) const
    {
        throw IOError(cat("load_npy: '", source_, "' has a malformed header: ", what, " (at offset ", pos_,
                          " of header ", text_, ")"));
    }
    char peek() const { return pos_ < text_.size() ? text_[pos_] : '\0'; }
    char skip_space()
    {
        while (peek() == ' ' || peek() == '\t' || peek() == '\n' || peek() == '\r') ++pos_;
        return peek();
    }
    void expect(char c)
    {
        if (skip_space() != c) fail(cat("expected '", c, "'"));
        ++pos_;
    }
    void once(bool& seen, const std::string& key) const
    {
        if (seen) fail(cat("key '", key, "' appears twice"));
        seen = true;
    }
    std::string string_literal(const char* what)
    {
        const char quote = skip_space();
        if (quote != '\'' && quote != '"') fail(cat("expected ", what));
        const std::size_t end = text_.find(quote, pos_ + 1);
        if (end == std::string::npos) fail("unterminated string");
        std::string s = text_.substr(pos_ + 1, end - pos_ - 1);
        pos_ = end + 1;
        return s;
    }
    bool boolean()
    {
        for (const char* word : {"True", "False"}) {
            if (text_.compare(pos_, std::char_traits<char>::length(word), word) == 0) {
                pos_ += std::char_traits<char>::length(word);
                return word[0] == 'T';
            }
        }
        fail("'fortran_order' must be True or False");
    }
    // A tuple of dimensions: "()", "(3,)", "(2, 3)" or "(2, 3,)".
    Shape tuple()
    {
        Shape shape;
        expect('(');
        bool comma = false;
        while (skip_space() != ')') {
            shape.push_back(dimension());
            comma = skip_space() == ',';
            if (!comma) break;
            ++pos_;
        }
        if (skip_space() != ')') fail("expected ',' or ')' in 'shape'");
        if (shape.size() == 1 && !comma) fail("'shape' must be a tuple; one dimension is written '(n,)'");
        ++pos_;
        return shape;
    }
    std::size_t dimension()
    {
        const std::size_t begin = pos_;
        std::size_t end = begin;
        while (end < text_.size() && text_[end] != ',' && text_[end] != ')' && !std::isspace(static_cast<unsigned char>(text_[end])))
            ++end;
        const std::string token = text_.substr(begin, end - begin);
        if (token.empty() || token.find_first_not_of("0123456789") != std::string::npos) {
            fail(cat("dimension '", token, "' of 'shape' is not a non-negative integer"));
        }
        std::uint64_t d = 0;
        for (char c : token) {
            if (__builtin_mul_overflow(d, std::uint64_t{10}, &d) || __builtin_add_overflow(d, std::uint64_t(c - '0'), &d)) {
                fail(cat("dimension ", token, " of 'shape' does not fit in 64 bits"));
            }
        }
        pos_ = end;
        return static_cast<std::size_t>(d);
    }

    const std::string& text_;
    const std::string& source_;
    std::size_t pos_ = 0;
};

}  // namespace

NpyHeader parse_npy_header(const std::string& header, const std::string& source)
{
    return HeaderParser(header, source).parse();
}

}  // namespace xgrad::detail
