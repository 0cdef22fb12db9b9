// torchvision's architectures by name for `predict` and `inspect --model`, how a checkpoint's
// keys compare with one, and ImageNet's class names.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "torchlite/nn/module.h"
#include "torchlite/nn/state_dict.h"

namespace torchlite::cli {

/// resnet18, resnet34, resnet50, alexnet, vgg11_bn, mobilenet_v2.
const std::vector<std::string>& model_names();

/// The architecture `name` (one of model_names()) with torchvision's defaults.
std::shared_ptr<nn::Module> make_model(const std::string& name, int64_t num_classes = 1000);

/// A checkpoint's keys against a model's state dict, as load_state_dict(strict=True) sees them.
struct KeyComparison {
  struct Mismatch {
    std::string key;
    Sizes checkpoint, model;
  };
  std::vector<std::string> matched;     // in the model's order
  std::vector<std::string> missing;     // in the model, not in the checkpoint
  std::vector<std::string> unexpected;  // in the checkpoint, not in the model
  std::vector<Mismatch> shape_mismatches;
  bool ok() const { return missing.empty() && unexpected.empty() && shape_mismatches.empty(); }
};

KeyComparison compare_keys(const nn::StateDict& model, const nn::StateDict& checkpoint);

/// "[64, 3, 7, 7]".
std::string shape_text(const Sizes& sizes);

/// ImageNet-1k's 1000 class names (torchvision's _IMAGENET_CATEGORIES), index = label.
const std::vector<std::string>& imagenet_classes();

}  // namespace torchlite::cli
