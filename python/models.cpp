// torchlite._C._models: torchvision 0.14's ResNet, AlexNet, VGG and MobileNetV2 (with their blocks)
// as nn.Module classes, and their builders with torchvision's keyword arguments.
#include "bindings.h"
#include "torchlite/models/alexnet.h"
#include "torchlite/models/mobilenet.h"
#include "torchlite/models/resnet.h"
#include "torchlite/models/vgg.h"

namespace torchlite::python {

template <class M, class Base = nn::Module>
using ModelClass = py::class_<M, Base, std::shared_ptr<M>>;

void bind_models(py::module_& root) {
  py::module_ m = root.def_submodule("_models");
  ModelClass<models::BasicBlock>(m, "BasicBlock").attr("expansion") = models::BasicBlock::expansion;
  ModelClass<models::Bottleneck>(m, "Bottleneck").attr("expansion") = models::Bottleneck::expansion;
  ModelClass<models::ResNet>(m, "ResNet");
  ModelClass<models::AlexNet>(m, "AlexNet");
  ModelClass<models::VGG>(m, "VGG");
  ModelClass<models::Conv2dNormActivation, nn::SequentialImpl>(m, "Conv2dNormActivation")
      .def_readonly("out_channels", &models::Conv2dNormActivation::out_channels);
  ModelClass<models::InvertedResidual>(m, "InvertedResidual")
      .def_readonly("stride", &models::InvertedResidual::stride)
      .def_readonly("use_res_connect", &models::InvertedResidual::use_res_connect)
      .def_readonly("out_channels", &models::InvertedResidual::out_channels);
  ModelClass<models::MobileNetV2>(m, "MobileNetV2")
      .def_readonly("last_channel", &models::MobileNetV2::last_channel);

  auto resnet = [](auto build) {
    return [build](int64_t num_classes, bool zero_init_residual, int64_t groups,
                   int64_t width_per_group, std::optional<std::array<bool, 3>> dilation) {
      return build(models::ResNetOptions{
          .num_classes = num_classes,
          .zero_init_residual = zero_init_residual,
          .groups = groups,
          .width_per_group = width_per_group,
          .replace_stride_with_dilation = dilation.value_or(std::array<bool, 3>{})});
    };
  };
  for (const auto& [name, build] :
       {std::pair{"resnet18", &models::resnet18}, std::pair{"resnet34", &models::resnet34},
        std::pair{"resnet50", &models::resnet50}}) {
    m.def(name, resnet(build), py::arg("num_classes") = 1000,
          py::arg("zero_init_residual") = false, py::arg("groups") = 1,
          py::arg("width_per_group") = 64, py::arg("replace_stride_with_dilation") = py::none());
  }
  m.def("alexnet", [](int64_t num_classes, double dropout) {
    return models::alexnet({.num_classes = num_classes, .dropout = dropout});
  }, py::arg("num_classes") = 1000, py::arg("dropout") = 0.5);
  m.def("vgg11_bn", [](int64_t num_classes, bool init_weights, double dropout) {
    return models::vgg11_bn(
        {.num_classes = num_classes, .init_weights = init_weights, .dropout = dropout});
  }, py::arg("num_classes") = 1000, py::arg("init_weights") = true, py::arg("dropout") = 0.5);
  m.def("mobilenet_v2", [](int64_t num_classes, double width_mult,
                           std::optional<std::vector<std::array<int64_t, 4>>> setting,
                           int64_t round_nearest, double dropout) {
    return models::mobilenet_v2({.num_classes = num_classes,
                                 .width_mult = width_mult,
                                 .inverted_residual_setting = setting.value_or(
                                     std::vector<std::array<int64_t, 4>>{}),
                                 .round_nearest = round_nearest,
                                 .dropout = dropout});
  }, py::arg("num_classes") = 1000, py::arg("width_mult") = 1.0,
     py::arg("inverted_residual_setting") = py::none(), py::arg("round_nearest") = 8,
     py::arg("dropout") = 0.2);
}

}  // namespace torchlite::python
