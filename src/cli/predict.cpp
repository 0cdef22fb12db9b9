// `torchlite predict`: ImageNet top-k classes of images with a torchvision architecture and a
// state dict saved by torch (torchvision's published weights as they are).
#include <algorithm>
#include <cstdio>
#include <memory>
#include <numeric>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/model_zoo.h"
#include "torchlite/data/image.h"
#include "torchlite/data/transforms.h"
#include "torchlite/error.h"
#include "torchlite/io/serialize.h"
#include "torchlite/ops/softmax.h"

namespace torchlite::cli {

namespace {

struct PredictArgs {
  std::string model;
  std::string weights;
  std::vector<std::string> images;
  int64_t topk = 5;
  bool json = false;
};

struct Prediction {
  int64_t index;
  double probability;
};

std::string json_string(const std::string& s) {
  std::string out = "\"";
  for (unsigned char ch : s) {
    if (ch == '"' || ch == '\\') {
      out += '\\';
      out += static_cast<char>(ch);
    } else if (ch < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", ch);
      out += buf;
    } else {
      out += static_cast<char>(ch);
    }
  }
  return out + "\"";
}

// Builds the model and loads the state dict strictly: a checkpoint of another architecture or
// number of classes fails here with the keys and shapes, before any weight is copied.
std::shared_ptr<nn::Module> load_model(const PredictArgs& args) {
  auto model = make_model(args.model);
  const nn::StateDict sd = load(args.weights);
  try {
    model->load_state_dict(sd);
  } catch (const Error& e) {
    throw Error(args.weights + " does not fit " + args.model + " (`torchlite inspect --model " +
                args.model + " " + args.weights + "` compares key by key): " + e.what());
  }
  model->eval();
  return model;
}

std::vector<Prediction> classify(nn::Module& model, const std::string& path, int64_t topk) {
  const Tensor x = data::transforms::imagenet_eval(data::read_image(path)).unsqueeze(0);
  const Tensor probs = softmax(model.forward(x), 1).contiguous();
  const float* p = probs.data_ptr<float>();
  std::vector<int64_t> order(static_cast<size_t>(probs.size(1)));
  std::iota(order.begin(), order.end(), 0);
  // Highest first; equal probabilities keep the lower label first.
  std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) { return p[a] > p[b]; });
  std::vector<Prediction> out;
  for (int64_t k = 0; k < topk; ++k) out.push_back({order[k], p[order[k]]});
  return out;
}

void run_predict(const PredictArgs& args) {
  const auto model = load_model(args);
  const auto& classes = imagenet_classes();
  NoGradGuard no_grad;
  int failed = 0;
  std::string json = "{\"model\": " + json_string(args.model) +
                     ", \"weights\": " + json_string(args.weights) + ", \"images\": [";
  for (size_t i = 0; i < args.images.size(); ++i) {
    const std::string& path = args.images[i];
    if (i) json += ", ";
    json += "{\"image\": " + json_string(path);
    try {
      const std::vector<Prediction> top = classify(*model, path, args.topk);
      json += ", \"top\": [";
      if (!args.json) std::printf("%s\n", path.c_str());
      for (size_t k = 0; k < top.size(); ++k) {
        const std::string& label = classes[static_cast<size_t>(top[k].index)];
        char prob[32];
        std::snprintf(prob, sizeof prob, "%.9g", top[k].probability);
        json += std::string(k ? ", " : "") + "{\"index\": " + std::to_string(top[k].index) +
                ", \"label\": " + json_string(label) + ", \"probability\": " + prob + "}";
        if (!args.json) std::printf("  %.4f  %s\n", top[k].probability, label.c_str());
      }
      json += "]}";
    } catch (const Error& e) {
      // One bad image does not stop the others; the exit status reports it at the end.
      ++failed;
      std::fprintf(stderr, "torchlite: error: %s\n", e.what());
      json += ", \"error\": " + json_string(e.what()) + "}";
    }
    std::fflush(stdout);
  }
  if (args.json) std::printf("%s]}\n", json.c_str());
  if (failed)
    throw Error(std::to_string(failed) + " of " + std::to_string(args.images.size()) +
                (args.images.size() == 1 ? " image" : " images") + " could not be classified");
}

}  // namespace

void register_predict_command(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "predict",
      "Classify images (JPEG, PNG) with a torchvision ImageNet model: torchvision's "
      "preprocessing (Resize(256), CenterCrop(224), Normalize) and the top-k class names");
  auto args = std::make_shared<PredictArgs>();
  cmd->add_option("--model", args->model, "Architecture the weights are for")
      ->check(CLI::IsMember(model_names()))
      ->required();
  cmd->add_option("--weights", args->weights,
                  "State dict saved by torch.save (e.g. torchvision's resnet18-f37072fd.pth)")
      ->required();
  cmd->add_option("IMAGES", args->images, "Images to classify")->required();
  cmd->add_option("--topk", args->topk, "Classes to print per image")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  cmd->add_flag("--json", args->json, "Print one JSON document instead of text");
  cmd->callback([args] { run_predict(*args); });
}

}  // namespace torchlite::cli
