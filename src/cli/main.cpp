// Entry point of the `torchlite` command line: dispatches to the subcommands.
#include <cstdio>
#include <exception>

#include "cli/commands.h"
#include "torchlite/error.h"

int main(int argc, char** argv) {
  CLI::App app{
      "torchlite: PyTorch's torch.nn in C++ -- train models, generate text, classify images, "
      "inspect and convert checkpoints"};
  app.require_subcommand(1);
  torchlite::cli::register_train_command(app);
  torchlite::cli::register_inspect_command(app);
  torchlite::cli::register_predict_command(app);
  torchlite::cli::register_convert_command(app);
  torchlite::cli::register_generate_command(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const torchlite::Error& e) {
    std::fprintf(stderr, "torchlite: error: %s\n", e.what());
    return 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "torchlite: error: %s\n", e.what());
    return 1;
  }
  return 0;
}
