// The architectures `predict` and `inspect --model` know, key comparison and ImageNet's classes.
#include "cli/model_zoo.h"

#include "torchlite/error.h"
#include "torchlite/models/alexnet.h"
#include "torchlite/models/mobilenet.h"
#include "torchlite/models/resnet.h"
#include "torchlite/models/vgg.h"

namespace torchlite::cli {

const std::vector<std::string>& model_names() {
  static const std::vector<std::string> names = {"resnet18", "resnet34", "resnet50",
                                                 "alexnet",  "vgg11_bn", "mobilenet_v2"};
  return names;
}

std::shared_ptr<nn::Module> make_model(const std::string& name, int64_t num_classes) {
  if (name == "resnet18") return models::resnet18({.num_classes = num_classes});
  if (name == "resnet34") return models::resnet34({.num_classes = num_classes});
  if (name == "resnet50") return models::resnet50({.num_classes = num_classes});
  if (name == "alexnet") return models::alexnet({.num_classes = num_classes});
  if (name == "vgg11_bn") return models::vgg11_bn({.num_classes = num_classes});
  if (name == "mobilenet_v2") return models::mobilenet_v2({.num_classes = num_classes});
  throw Error("unknown model '" + name + "'");
}

KeyComparison compare_keys(const nn::StateDict& model, const nn::StateDict& checkpoint) {
  KeyComparison c;
  for (const auto& [key, target] : model) {
    if (!checkpoint.contains(key)) {
      c.missing.push_back(key);
      continue;
    }
    const Tensor& src = checkpoint[key];
    // load_state_dict's backward compatibility: a 1-D entry fills a 0-dim tensor.
    const bool fits =
        src.sizes() == target.sizes() || (target.dim() == 0 && src.dim() == 1 && src.numel() > 0);
    if (fits)
      c.matched.push_back(key);
    else
      c.shape_mismatches.push_back({key, src.sizes(), target.sizes()});
  }
  for (const auto& [key, value] : checkpoint)
    if (!model.contains(key)) c.unexpected.push_back(key);
  return c;
}

std::string shape_text(const Sizes& sizes) {
  std::string s = "[";
  for (size_t d = 0; d < sizes.size(); ++d) s += (d ? ", " : "") + std::to_string(sizes[d]);
  return s + "]";
}

const std::vector<std::string>& imagenet_classes() {
  static const std::vector<std::string> names = {
#include "cli/imagenet_classes.inc"
  };
  return names;
}

}  // namespace torchlite::cli
