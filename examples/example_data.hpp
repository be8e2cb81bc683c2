// Helpers the Fashion-MNIST examples share: short-mode and held-out subsets and the
// training curves of a fit() as CSV and PNG. Not part of the library.
#pragma once

#include <algorithm>
#include <string>
#include <vector>

#include <xtensor/xview.hpp>
#include <xgrad/xgrad.hpp>

#include "example_support.hpp"

namespace example {

// Rows [begin, end) of a labeled data set, copied.
inline xgrad::nn::LabeledData row_range(const xgrad::nn::LabeledData& data, std::size_t begin, std::size_t end)
{
    return {xt::xarray<float>(xt::view(data.x, xt::range(begin, end), xt::all())),
            xt::xarray<float>(xt::view(data.y, xt::range(begin, end)))};
}

// The first n rows of a labeled data set (all of them when n is larger).
inline xgrad::nn::LabeledData first_rows(const xgrad::nn::LabeledData& data, std::size_t n)
{
    return row_range(data, 0, std::min(n, data.x.shape()[0]));
}

// The last n rows (all of them when n is larger): a held-out slice of a training set.
inline xgrad::nn::LabeledData last_rows(const xgrad::nn::LabeledData& data, std::size_t n)
{
    const std::size_t rows = data.x.shape()[0];
    return row_range(data, rows - std::min(n, rows), rows);
}

// <out>/<name>_curves.csv (epoch, loss, accuracy) and .png with `title`.
inline void write_fit_curves(const std::string& out, const std::string& name, const std::string& title,
                             const xgrad::nn::History& history)
{
    std::vector<std::vector<double>> rows;
    const auto& loss = history.history.at("loss");
    const auto& acc = history.history.at("accuracy");
    for (std::size_t e = 0; e < loss.size(); ++e) rows.push_back({double(e + 1), loss[e], acc[e]});
    const auto csv = write_csv(out + "/" + name + "_curves.csv", "epoch,loss,accuracy", rows);
    std::cout << "training curves: " << csv << "\n";
    plot_png(out + "/" + name + "_curves.png",
             "set multiplot layout 1,2 title '" + title + "'\n"
             "set xlabel 'epoch'\nset xtics 1\nset key off\n"
             "set title 'loss'\nplot '" + csv + "' using 1:2 with linespoints\n"
             "set title 'accuracy'\nplot '" + csv + "' using 1:3 with linespoints\nunset multiplot\n");
}

}  // namespace example
