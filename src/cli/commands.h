// The `torchlite` subcommands; each registers itself on the CLI11 app.
#pragma once

#include <CLI/CLI.hpp>

namespace torchlite::cli {

/// `torchlite train`: trains softmax regression or an MLP on Fashion-MNIST (train.cpp).
void register_train_command(CLI::App& app);
/// `torchlite inspect`: prints what a checkpoint holds (inspect.cpp).
void register_inspect_command(CLI::App& app);
/// `torchlite predict`: ImageNet top-k classes of images with a torchvision model (predict.cpp).
void register_predict_command(CLI::App& app);
/// `torchlite convert`: converts checkpoints between .pt and .safetensors (convert.cpp).
void register_convert_command(CLI::App& app);

}  // namespace torchlite::cli
