#include <xgrad/nn/callbacks_io.hpp>

#include <charconv>
#include <cmath>
#include <cstdio>
#include <iostream>

#include <xgrad/core/communicator.hpp>
#include <xgrad/nn/model.hpp>

namespace xgrad::nn {

bool maximizes(Mode mode, const std::string& monitor);  // callbacks.cpp

std::string format_shortest(double value)
{
    if (std::isnan(value)) return "nan";
    if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
    char buf[64];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
    std::string s(buf, end);
    // Python writes 1.0 for a whole number, and 1e-05 style exponents.
    if (s.find_first_of(".en") == std::string::npos) s += ".0";
    const auto e = s.find('e');
    if (e != std::string::npos) {
        std::string mantissa = s.substr(0, e), exponent = s.substr(e + 1);
        const bool negative = exponent[0] == '-';
        if (negative || exponent[0] == '+') exponent.erase(0, 1);
        if (exponent.size() < 2) exponent = "0" + exponent;
        s = mantissa + "e" + (negative ? "-" : "+") + exponent;
    }
    return s;
}

ModelCheckpoint::ModelCheckpoint(std::string filepath, std::string monitor, bool save_best_only, Mode mode, int verbose,
                                 bool include_optimizer)
    : filepath_(std::move(filepath)), monitor_(std::move(monitor)), save_best_only_(save_best_only),
      maximize_(maximizes(mode, monitor_)), include_optimizer_(include_optimizer), verbose_(verbose)
{
}

std::string ModelCheckpoint::path_for_epoch(int epoch) const
{
    std::string out = filepath_;
    const std::string plain = "{epoch}", padded = "{epoch:02d}";
    char two[16];
    std::snprintf(two, sizeof two, "%02d", epoch + 1);
    for (std::size_t p; (p = out.find(padded)) != std::string::npos;) out.replace(p, padded.size(), two);
    for (std::size_t p; (p = out.find(plain)) != std::string::npos;) out.replace(p, plain.size(), std::to_string(epoch + 1));
    return out;
}

void ModelCheckpoint::on_epoch_end(int epoch, Logs& logs)
{
    const std::string path = path_for_epoch(epoch);
    if (save_best_only_) {
        const auto it = logs.find(monitor_);
        if (it == logs.end()) {
            std::cerr << "ModelCheckpoint: can save best model only with '" << monitor_ << "' available, skipping\n";
            return;
        }
        const double v = it->second;
        const bool better = !have_best_ || (maximize_ ? v > best_ : v < best_);
        if (!better) {
            if (verbose_ > 0) {
                std::cout << "\nEpoch " << epoch + 1 << ": " << monitor_ << " did not improve from " << best_ << "\n";
            }
            return;
        }
        if (verbose_ > 0) {
            std::cout << "\nEpoch " << epoch + 1 << ": " << monitor_ << " improved to " << v << ", saving model to "
                      << path << "\n";
        }
        have_best_ = true;
        best_ = v;
    } else if (verbose_ > 0) {
        std::cout << "\nEpoch " << epoch + 1 << ": saving model to " << path << "\n";
    }
    model_->save_weights(path, include_optimizer_);
}

CSVLogger::CSVLogger(std::string filename, char separator, bool append)
    : filename_(std::move(filename)), separator_(separator), append_(append)
{
}

void CSVLogger::on_train_begin(const Logs&)
{
    out_.close();
    if (!distributed::is_writer()) return;  // data parallelism: rank 0 writes the file
    // As Keras: appending to a file that already has a first line adds no second header.
    std::string first_line;
    if (append_) {
        std::ifstream existing(filename_);
        std::getline(existing, first_line);
    }
    write_header_ = first_line.empty();
    out_.open(filename_, append_ ? std::ios::app : std::ios::trunc);
    if (!out_) throw IOError(detail::cat(filename_, ": CSVLogger cannot open the file for writing"));
    keys_.clear();
}

void CSVLogger::on_epoch_end(int epoch, Logs& logs)
{
    if (!distributed::is_writer()) return;
    if (keys_.empty()) {
        for (const auto& [k, v] : logs) keys_.push_back(k);
        if (write_header_) {
            out_ << "epoch";
            for (const auto& k : keys_) out_ << separator_ << k;
            out_ << "\n";
        }
    }
    out_ << epoch;
    for (const auto& k : keys_) {
        const auto it = logs.find(k);
        out_ << separator_ << (it == logs.end() ? std::string("NA") : format_shortest(it->second));
    }
    out_ << "\n" << std::flush;
}

void CSVLogger::on_train_end(const Logs&) { out_.close(); }

}  // namespace xgrad::nn
