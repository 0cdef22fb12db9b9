// Writes training curves (loss, train and test accuracy per epoch) as an SVG image.
#pragma once

#include <string>
#include <vector>

namespace torchlite::cli {

/// One named curve, one value per epoch (epochs are 1, 2, ...).
struct Curve {
  std::string name;
  std::vector<double> values;
};

/// Draws the curves on shared axes (x: epoch, y: 0 to max(1, largest value)) with a legend,
/// like d2l's Animator, and writes the SVG to `path` (throws torchlite::Error on failure).
void write_svg_plot(const std::string& path, const std::vector<Curve>& curves);

}  // namespace torchlite::cli
