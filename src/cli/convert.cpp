// `torchlite convert IN OUT`: rewrites a checkpoint between torch.save (.pt) and safetensors.
#include <cstdio>
#include <string>

#include "cli/commands.h"
#include "torchlite/io/serialize.h"

namespace torchlite::cli {

void register_convert_command(CLI::App& app) {
  auto* cmd =
      app.add_subcommand("convert",
                         "Convert a checkpoint between .pt/.pth/.bin and .safetensors "
                         "(views and shared storage become contiguous tensors in safetensors)");
  auto in = std::make_shared<std::string>();
  auto out = std::make_shared<std::string>();
  cmd->add_option("IN", *in, "checkpoint to read")->required();
  cmd->add_option("OUT", *out, "file to write; its extension picks the format")->required();
  cmd->callback([in, out] {
    const io::Object o = io::load_object(*in);
    if (o.kind == io::Object::Kind::Tensor) {
      save(o.tensor, *out);
      std::printf("wrote %s: 1 tensor\n", out->c_str());
      return;
    }
    // A state dict: a dict of str -> tensor; load() explains anything else.
    const nn::StateDict sd = load(*in);
    save(sd, *out);
    std::printf("wrote %s: %zu tensors\n", out->c_str(), sd.size());
  });
}

}  // namespace torchlite::cli
