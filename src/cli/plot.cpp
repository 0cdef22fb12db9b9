// A small self-contained SVG line chart (axes, grid, ticks, legend) for the training curves.
#include "cli/plot.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "torchlite/error.h"

namespace torchlite::cli {
namespace {

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.1f", v);
  return buf;
}

std::string tick_label(double v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%g", std::round(v * 100) / 100);
  return buf;
}

}  // namespace

void write_svg_plot(const std::string& path, const std::vector<Curve>& curves) {
  constexpr double W = 640, H = 420, left = 60, right = 170, top = 30, bottom = 50;
  const double pw = W - left - right, ph = H - top - bottom;
  size_t epochs = 0;
  double ymax = 1.0;
  for (const auto& c : curves) {
    epochs = std::max(epochs, c.values.size());
    for (double v : c.values)
      if (std::isfinite(v)) ymax = std::max(ymax, v);
  }
  ymax = std::ceil(ymax * 5) / 5;  // a round top at a multiple of 0.2
  const double xmax = std::max<double>(static_cast<double>(epochs), 2.0);
  auto px = [&](double epoch) { return left + (epoch - 1) / (xmax - 1) * pw; };
  auto py = [&](double v) { return top + (1 - v / ymax) * ph; };
  const char* colors[] = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e"};
  const char* dashes[] = {"", "6,4", "2,3", "8,3,2,3", ""};

  std::ostringstream s;
  s << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << W << "\" height=\"" << H
    << "\" viewBox=\"0 0 " << W << ' ' << H << "\" font-family=\"sans-serif\" font-size=\"12\">\n"
    << "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
  for (int i = 0; i <= 5; ++i) {  // horizontal grid and y ticks
    const double v = ymax * i / 5, y = py(v);
    s << "<line x1=\"" << left << "\" y1=\"" << num(y) << "\" x2=\"" << left + pw << "\" y2=\""
      << num(y) << "\" stroke=\"#e0e0e0\"/>\n"
      << "<text x=\"" << left - 8 << "\" y=\"" << num(y + 4) << "\" text-anchor=\"end\">"
      << tick_label(v) << "</text>\n";
  }
  const int xticks = static_cast<int>(std::min<double>(xmax - 1, 10));
  for (int i = 0; i <= xticks; ++i) {  // x ticks at (about) integer epochs
    const double e = 1 + std::round((xmax - 1) * i / std::max(xticks, 1));
    s << "<text x=\"" << num(px(e)) << "\" y=\"" << num(top + ph + 18)
      << "\" text-anchor=\"middle\">" << e << "</text>\n";
  }
  s << "<rect x=\"" << left << "\" y=\"" << top << "\" width=\"" << pw << "\" height=\"" << ph
    << "\" fill=\"none\" stroke=\"black\"/>\n"
    << "<text x=\"" << num(left + pw / 2) << "\" y=\"" << H - 12
    << "\" text-anchor=\"middle\">epoch</text>\n";
  for (size_t k = 0; k < curves.size(); ++k) {
    const auto& c = curves[k];
    const char* color = colors[k % 5];
    std::ostringstream pts;
    for (size_t i = 0; i < c.values.size(); ++i)
      if (std::isfinite(c.values[i]))
        pts << num(px(static_cast<double>(i + 1))) << ',' << num(py(c.values[i])) << ' ';
    s << "<polyline fill=\"none\" stroke=\"" << color << "\" stroke-width=\"2\"";
    if (*dashes[k % 5]) s << " stroke-dasharray=\"" << dashes[k % 5] << "\"";
    s << " points=\"" << pts.str() << "\"/>\n";
    for (size_t i = 0; i < c.values.size(); ++i)
      if (std::isfinite(c.values[i]))
        s << "<circle cx=\"" << num(px(static_cast<double>(i + 1))) << "\" cy=\""
          << num(py(c.values[i])) << "\" r=\"3\" fill=\"" << color << "\"/>\n";
    const double ly = top + 16 + 22.0 * static_cast<double>(k);
    s << "<line x1=\"" << left + pw + 14 << "\" y1=\"" << ly - 4 << "\" x2=\"" << left + pw + 44
      << "\" y2=\"" << ly - 4 << "\" stroke=\"" << color << "\" stroke-width=\"2\"";
    if (*dashes[k % 5]) s << " stroke-dasharray=\"" << dashes[k % 5] << "\"";
    s << "/>\n<text x=\"" << left + pw + 50 << "\" y=\"" << ly << "\">" << c.name << "</text>\n";
  }
  s << "</svg>\n";
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  TL_CHECK(f.good(), path, ": cannot open for writing");
  f << s.str();
  f.close();
  TL_CHECK(f.good(), path, ": write failed");
}

}  // namespace torchlite::cli
