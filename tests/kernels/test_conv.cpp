// Convolution kernels: the im2col + GEMM paths (and float32's forward and backward passes on
// oneDNN, where built) against the float64 direct-loop reference over strides, paddings
// (asymmetric included), dilations, groups, 1x1 kernels and thread counts.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "kernels/conv.h"
#include "torchlite/parallel.h"
#include "torchlite/tensor.h"

namespace tl = torchlite;
namespace k = torchlite::kernels;

namespace {

/// A geometry from its inputs; the output size follows from pad_h/pad_w before and the extra
/// padding after (asymmetric when after != before).
k::ConvGeometry make(int64_t n, int64_t c, int64_t h, int64_t w, int64_t o, int64_t kh, int64_t kw,
                     int64_t stride_h, int64_t stride_w, int64_t pad_h, int64_t pad_w,
                     int64_t dil_h, int64_t dil_w, int64_t groups, int64_t after_h = -1,
                     int64_t after_w = -1) {
  k::ConvGeometry g{n,  c,        h,        w,     o,     0,     0,     kh,
                    kw, stride_h, stride_w, pad_h, pad_w, dil_h, dil_w, groups};
  const int64_t ah = after_h < 0 ? pad_h : after_h, aw = after_w < 0 ? pad_w : after_w;
  g.out_height = (h + pad_h + ah - dil_h * (kh - 1) - 1) / stride_h + 1;
  g.out_width = (w + pad_w + aw - dil_w * (kw - 1) - 1) / stride_w + 1;
  return g;
}

std::string describe(const k::ConvGeometry& g) {
  return "n" + std::to_string(g.batch) + " c" + std::to_string(g.channels) + " " +
         std::to_string(g.height) + "x" + std::to_string(g.width) + " o" +
         std::to_string(g.out_channels) + " k" + std::to_string(g.kernel_h) + "x" +
         std::to_string(g.kernel_w) + " s" + std::to_string(g.stride_h) + "," +
         std::to_string(g.stride_w) + " p" + std::to_string(g.pad_h) + "," +
         std::to_string(g.pad_w) + " d" + std::to_string(g.dilation_h) + "," +
         std::to_string(g.dilation_w) + " g" + std::to_string(g.groups) + " out " +
         std::to_string(g.out_height) + "x" + std::to_string(g.out_width);
}

std::vector<k::ConvGeometry> geometries() {
  return {
      make(2, 3, 7, 6, 4, 3, 3, 1, 1, 0, 0, 1, 1, 1),
      make(3, 3, 7, 6, 4, 3, 3, 2, 2, 1, 1, 1, 1, 1),
      make(2, 3, 9, 8, 5, 3, 2, 2, 3, 2, 1, 1, 1, 1),
      make(2, 2, 8, 7, 4, 3, 3, 1, 1, 1, 1, 2, 2, 1),
      make(2, 4, 6, 5, 6, 3, 3, 1, 1, 1, 1, 1, 1, 2),
      make(2, 4, 6, 5, 4, 3, 3, 1, 1, 1, 1, 1, 1, 4),  // depthwise
      make(2, 4, 6, 5, 8, 3, 2, 2, 1, 0, 1, 1, 2, 4),
      make(2, 3, 5, 5, 4, 1, 1, 1, 1, 0, 0, 1, 1, 1),  // 1x1: no im2col
      make(2, 3, 5, 5, 4, 1, 1, 2, 2, 0, 0, 1, 1, 1),
      make(2, 3, 6, 7, 5, 4, 4, 1, 1, 1, 1, 1, 1, 1, 2, 2),  // 'same' for an even kernel
      make(1, 3, 6, 7, 5, 3, 2, 1, 1, 1, 1, 1, 3, 1, 1, 2),
      make(1, 2, 1, 9, 3, 1, 4, 1, 2, 0, 1, 1, 2, 1),    // conv1d as height 1
      make(9, 1, 12, 12, 6, 5, 5, 1, 1, 2, 2, 1, 1, 1),  // LeNet's first conv, smaller
      make(7, 6, 9, 9, 16, 5, 5, 1, 1, 0, 0, 1, 1, 1),   // LeNet's second
      make(2, 2, 3, 3, 3, 3, 3, 1, 1, 2, 2, 1, 1, 1),    // more padding than image
      // 16 and 32 output channels: float32 forward on oneDNN where built with it.
      make(3, 4, 9, 8, 32, 3, 3, 2, 1, 1, 0, 1, 2, 2),
      make(2, 3, 6, 7, 16, 4, 4, 1, 1, 1, 1, 1, 1, 1, 2, 2),
      make(1, 3, 8, 8, 16, 3, 3, 2, 2, 0, 0, 1, 1, 1),  // the last row of the input unused
      make(2, 16, 5, 5, 16, 3, 3, 1, 1, 1, 1, 1, 1, 16),
      // ResNet's shapes, smaller: blocked layouts on oneDNN, forward and backward.
      make(3, 32, 6, 6, 64, 3, 3, 2, 2, 1, 1, 1, 1, 1),
      make(2, 64, 5, 5, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1),
      make(3, 64, 2, 2, 128, 3, 3, 1, 1, 1, 1, 1, 1, 1),  // most taps in the padding
      make(2, 32, 6, 6, 64, 1, 1, 2, 2, 0, 0, 1, 1, 1),
  };
}

/// The kernels of dtype T against the float64 reference on the same inputs. A result sums up to
/// `terms` products in another order than the reference (and, in float32, in another order on
/// another CPU's kernels), so its absolute tolerance grows with sqrt(terms).
template <class T>
void compare(const k::ConvGeometry& g, tl::Dtype dtype, double tol) {
  SCOPED_TRACE(describe(g));
  const int64_t cg = g.channels / g.groups, og = g.out_channels / g.groups;
  tl::Tensor x = tl::randn({g.batch, g.channels, g.height, g.width}, dtype);
  tl::Tensor w = tl::randn({g.out_channels, cg, g.kernel_h, g.kernel_w}, dtype);
  tl::Tensor b = tl::randn({g.out_channels}, dtype);
  tl::Tensor dy = tl::randn({g.batch, g.out_channels, g.out_height, g.out_width}, dtype);
  const tl::Tensor xd = x.to(tl::kFloat64), wd = w.to(tl::kFloat64), bd = b.to(tl::kFloat64),
                   dyd = dy.to(tl::kFloat64);
  auto computed = [&](auto fn, const tl::Tensor& like) {
    tl::Tensor out = tl::full(like.sizes(), 7.0, dtype);
    fn(out.data_ptr<T>());
    return out.to(tl::kFloat64);
  };
  auto reference = [&](auto fn, const tl::Tensor& like) {
    tl::Tensor out = tl::full(like.sizes(), 7.0, tl::kFloat64);
    fn(out.data_ptr<double>());
    return out;
  };
  auto close = [&](const tl::Tensor& got, const tl::Tensor& want, int64_t terms) {
    const double atol = tol * std::sqrt(static_cast<double>(std::max<int64_t>(terms, 1)));
    return got.allclose(want, tol, atol);
  };
  const T* xp = x.data_ptr<T>();
  const T* wp = w.data_ptr<T>();
  const T* bp = b.data_ptr<T>();
  const T* dyp = dy.data_ptr<T>();
  const int64_t forward_terms = cg * g.kernel_h * g.kernel_w + 1;
  for (bool bias : {true, false}) {
    const tl::Tensor ref = reference(
        [&](double* y) {
          k::conv2d_forward_reference<double>(g, xd.data_ptr<double>(), wd.data_ptr<double>(),
                                              bias ? bd.data_ptr<double>() : nullptr, y);
        },
        dy);
    const tl::Tensor im2col = computed(
        [&](T* y) { k::conv2d_forward_im2col<T>(g, xp, wp, bias ? bp : nullptr, y); }, dy);
    const tl::Tensor fast =
        computed([&](T* y) { k::conv2d_forward<T>(g, xp, wp, bias ? bp : nullptr, y); }, dy);
    EXPECT_TRUE(close(fast, ref, forward_terms)) << "forward, bias " << bias;
    EXPECT_TRUE(close(im2col, ref, forward_terms)) << "im2col forward, bias " << bias;
  }
  const tl::Tensor dx = computed([&](T* o) { k::conv2d_backward_input<T>(g, dyp, wp, o); }, x);
  const tl::Tensor dx_ref = reference(
      [&](double* o) {
        k::conv2d_backward_input_reference<double>(g, dyd.data_ptr<double>(),
                                                   wd.data_ptr<double>(), o);
      },
      x);
  EXPECT_TRUE(close(dx, dx_ref, og * g.kernel_h * g.kernel_w)) << "input gradient";
  const tl::Tensor dw = computed([&](T* o) { k::conv2d_backward_weight<T>(g, xp, dyp, o); }, w);
  const tl::Tensor dw_ref = reference(
      [&](double* o) {
        k::conv2d_backward_weight_reference<double>(g, xd.data_ptr<double>(),
                                                    dyd.data_ptr<double>(), o);
      },
      w);
  const int64_t weight_terms = g.batch * g.out_height * g.out_width;
  EXPECT_TRUE(close(dw, dw_ref, weight_terms)) << "weight gradient";
  tl::Tensor db = tl::empty({g.out_channels}, dtype);
  k::channel_sums<T>(dyp, g.batch, g.out_channels, g.out_height * g.out_width, db.data_ptr<T>());
  EXPECT_TRUE(close(db.to(tl::kFloat64), dyd.sum({0, 2, 3}), weight_terms)) << "bias gradient";
}

}  // namespace

TEST(ConvKernels, Float64MatchesReference) {
  tl::manual_seed(1);
  for (int threads : {1, 2}) {
    tl::set_num_threads(threads);
    for (const auto& g : geometries()) compare<double>(g, tl::kFloat64, 1e-12);
  }
}

TEST(ConvKernels, Float32MatchesReference) {
  tl::manual_seed(2);
  for (int threads : {1, 2}) {
    tl::set_num_threads(threads);
    for (const auto& g : geometries()) compare<float>(g, tl::kFloat32, 2e-5);
  }
}

TEST(ConvKernels, ChannelBiasAddsPerChannel) {
  tl::Tensor t = tl::zeros({2, 3, 4}, tl::kFloat64);
  tl::Tensor b = tl::tensor({1.0, -2.0, 0.5}, tl::kFloat64);
  k::add_channel_bias<double>(t.data_ptr<double>(), b.data_ptr<double>(), 2, 3, 4);
  EXPECT_TRUE(t.equal(b.view({1, 3, 1}).expand({2, 3, 4}).contiguous()));
}

TEST(ConvKernels, PaddingAfterTheLastRowFollowsTheOutputSize) {
  // conv1 of ResNet: 7x7/2, padding 3 on 64 rows -> 32: two zeros after.
  EXPECT_EQ(k::pad_after(make(1, 3, 64, 64, 8, 7, 7, 2, 2, 3, 3, 1, 1, 1)),
            (std::array<int64_t, 2>{2, 2}));
  // A 1x1 stride-2 downsampling of 4 rows reads rows 0 and 2: none after, not minus one.
  EXPECT_EQ(k::pad_after(make(1, 8, 4, 4, 8, 1, 1, 2, 2, 0, 0, 1, 1, 1)),
            (std::array<int64_t, 2>{0, 0}));
  // 'same' for an even kernel: one more zero after than before.
  EXPECT_EQ(k::pad_after(make(1, 3, 6, 7, 5, 4, 4, 1, 1, 1, 1, 1, 1, 1, 2, 2)),
            (std::array<int64_t, 2>{2, 2}));
}
