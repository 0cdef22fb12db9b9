// nn.BatchNorm1d/2d, LayerNorm, GroupNorm.
#include "bindings.h"
#include "torchlite/nn/normalization.h"

namespace torchlite::python {
namespace {

template <class Impl>
void bind_batch_norm(py::module_& m, const char* name) {
  LayerClass<Impl> cls(m, name);
  cls.def(py::init([](int64_t num_features, double eps, std::optional<double> momentum,
                      bool affine, bool track_running_stats) {
            return std::make_shared<Impl>(
                num_features, nn::BatchNormOptions{.eps = eps,
                                                   .momentum = momentum,
                                                   .affine = affine,
                                                   .track_running_stats = track_running_stats});
          }),
          py::arg("num_features"), py::arg("eps") = 1e-5, py::arg("momentum") = 0.1,
          py::arg("affine") = true, py::arg("track_running_stats") = true)
      .def("forward", &Impl::forward, py::arg("input"))
      .def_readonly("num_features", &Impl::num_features)
      .def_readonly("eps", &Impl::eps)
      .def_readonly("momentum", &Impl::momentum)
      .def_property_readonly("running_mean", [](const Impl& b) { return wrap(b.running_mean); })
      .def_property_readonly("running_var", [](const Impl& b) { return wrap(b.running_var); })
      .def_property_readonly("num_batches_tracked",
                             [](const Impl& b) { return wrap(b.num_batches_tracked); });
  parameter_property<Impl>(cls, "weight", &Impl::weight);
  parameter_property<Impl>(cls, "bias", &Impl::bias);
}

}  // namespace

void bind_nn_normalization(py::module_& m) {
  bind_batch_norm<nn::BatchNorm1dImpl>(m, "BatchNorm1d");
  bind_batch_norm<nn::BatchNorm2dImpl>(m, "BatchNorm2d");
  LayerClass<nn::LayerNormImpl> ln(m, "LayerNorm");
  ln.def(py::init([](py::handle normalized_shape, double eps, bool elementwise_affine) {
           const std::vector<int64_t> shape =
               py::isinstance<py::int_>(normalized_shape)
                   ? std::vector<int64_t>{normalized_shape.cast<int64_t>()}
                   : normalized_shape.cast<std::vector<int64_t>>();
           return std::make_shared<nn::LayerNormImpl>(
               shape, nn::LayerNormOptions{.eps = eps, .elementwise_affine = elementwise_affine});
         }),
         py::arg("normalized_shape"), py::arg("eps") = 1e-5,
         py::arg("elementwise_affine") = true)
      .def("forward", &nn::LayerNormImpl::forward, py::arg("input"));
  parameter_property(ln, "weight", &nn::LayerNormImpl::weight);
  parameter_property(ln, "bias", &nn::LayerNormImpl::bias);
  LayerClass<nn::GroupNormImpl> gn(m, "GroupNorm");
  gn.def(py::init([](int64_t num_groups, int64_t num_channels, double eps, bool affine) {
           return std::make_shared<nn::GroupNormImpl>(
               num_groups, num_channels, nn::GroupNormOptions{.eps = eps, .affine = affine});
         }),
         py::arg("num_groups"), py::arg("num_channels"), py::arg("eps") = 1e-5,
         py::arg("affine") = true)
      .def("forward", &nn::GroupNormImpl::forward, py::arg("input"));
  parameter_property(gn, "weight", &nn::GroupNormImpl::weight);
  parameter_property(gn, "bias", &nn::GroupNormImpl::bias);
}

}  // namespace torchlite::python
