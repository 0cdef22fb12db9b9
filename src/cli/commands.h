// The `torchlite` subcommands; each registers itself on the CLI11 app.
#pragma once

#include <CLI/CLI.hpp>

namespace torchlite::cli {

/// `torchlite train`: trains d2l's image classifiers on Fashion-MNIST (train.cpp) or a character
/// language model on a text (train_text.cpp).
void register_train_command(CLI::App& app);
/// `torchlite inspect`: prints what a checkpoint holds (inspect.cpp).
void register_inspect_command(CLI::App& app);
/// `torchlite predict`: ImageNet top-k classes of images with a torchvision model (predict.cpp).
void register_predict_command(CLI::App& app);
/// `torchlite convert`: converts checkpoints between .pt and .safetensors (convert.cpp).
void register_convert_command(CLI::App& app);
/// `torchlite generate`: continues a prompt with a character language model (generate.cpp).
void register_generate_command(CLI::App& app);

}  // namespace torchlite::cli
