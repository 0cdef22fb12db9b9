// torchvision 0.14's Resize / CenterCrop / ToTensor / Normalize on PIL images, with Pillow 9.4's
// ImagingResample arithmetic (libImaging/Resample.c) reproduced for bit-equal uint8 pixels.
#include "torchlite/data/transforms.h"

#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "torchlite/error.h"

namespace torchlite::data::transforms {

namespace {

constexpr int kPrecisionBits = 32 - 8 - 2;

// PIL's bilinear filter: a triangle of support 1 (scaled by the downscale factor).
double triangle(double x) {
  if (x < 0.0) x = -x;
  return x < 1.0 ? 1.0 - x : 0.0;
}

// For each output pixel: the first input pixel, how many it reads, and their fixed-point weights.
struct Coefficients {
  int64_t ksize = 0;
  std::vector<int64_t> first, count;
  std::vector<int32_t> weights;  // [out, ksize]
};

// precompute_coeffs + normalize_coeffs_8bpc over the box [0, in_size) in double, as Pillow does.
Coefficients coefficients(int64_t in_size, int64_t out_size) {
  const double scale = static_cast<double>(static_cast<float>(in_size)) / out_size;
  const double filterscale = scale < 1.0 ? 1.0 : scale;
  const double support = 1.0 * filterscale;
  Coefficients c;
  c.ksize = static_cast<int64_t>(std::ceil(support)) * 2 + 1;
  c.first.resize(out_size);
  c.count.resize(out_size);
  c.weights.assign(out_size * c.ksize, 0);
  std::vector<double> k(c.ksize);
  for (int64_t xx = 0; xx < out_size; ++xx) {
    const double center = (xx + 0.5) * scale;
    const double ss = 1.0 / filterscale;
    // Pillow rounds with (int)(v + 0.5), truncating toward zero.
    int64_t xmin = static_cast<int>(center - support + 0.5);
    if (xmin < 0) xmin = 0;
    int64_t xmax = static_cast<int>(center + support + 0.5);
    if (xmax > in_size) xmax = in_size;
    xmax -= xmin;
    double ww = 0.0;
    for (int64_t x = 0; x < xmax; ++x) {
      const double w = triangle((static_cast<double>(x + xmin) - center + 0.5) * ss);
      k[x] = w;
      ww += w;
    }
    for (int64_t x = 0; x < xmax; ++x) {
      const double v = ww != 0.0 ? k[x] / ww : k[x];
      c.weights[xx * c.ksize + x] = static_cast<int32_t>(v < 0 ? -0.5 + v * (1 << kPrecisionBits)
                                                               : 0.5 + v * (1 << kPrecisionBits));
    }
    c.first[xx] = xmin;
    c.count[xx] = xmax;
  }
  return c;
}

uint8_t clip8(int32_t v) {
  const int32_t s = v >> kPrecisionBits;
  return static_cast<uint8_t>(s < 0 ? 0 : s > 255 ? 255 : s);
}

// One pass along an axis of a [outer, n, inner] uint8 array -> [outer, out, inner].
std::vector<uint8_t> resample_axis(const uint8_t* in, int64_t outer, int64_t n, int64_t inner,
                                   int64_t out) {
  const Coefficients c = coefficients(n, out);
  std::vector<uint8_t> result(outer * out * inner);
  for (int64_t o = 0; o < outer; ++o) {
    const uint8_t* src = in + o * n * inner;
    uint8_t* dst = result.data() + o * out * inner;
    for (int64_t xx = 0; xx < out; ++xx) {
      const int32_t* k = c.weights.data() + xx * c.ksize;
      const uint8_t* base = src + c.first[xx] * inner;
      for (int64_t i = 0; i < inner; ++i) {
        int32_t ss = 1 << (kPrecisionBits - 1);
        for (int64_t x = 0; x < c.count[xx]; ++x) ss += base[x * inner + i] * k[x];
        dst[xx * inner + i] = clip8(ss);
      }
    }
  }
  return result;
}

void check_image(const Tensor& image, const char* op) {
  TL_CHECK(image.dtype() == kUInt8 && image.dim() == 3, op,
           ": expected a uint8 image [H, W, C] (as read_image gives), got ",
           dtype_name(image.dtype()), " of shape ", image.sizes());
}

Tensor from_bytes(const std::vector<uint8_t>& bytes, Sizes sizes) {
  Tensor t = empty(std::move(sizes), kUInt8);
  std::memcpy(t.data_ptr<uint8_t>(), bytes.data(), bytes.size());
  return t;
}

}  // namespace

Tensor resize_bilinear(const Tensor& image, int64_t height, int64_t width) {
  check_image(image, "resize_bilinear");
  TL_CHECK(height > 0 && width > 0, "resize_bilinear: the size must be positive, got ", height, "x",
           width);
  // The decoders' bound, so that a thin image cannot ask for gigabytes (a 1x10000 image resized
  // to a short side of 256 would be 256x2560000).
  TL_CHECK(height <= (int64_t{1} << 28) / width, "resize_bilinear: the result, ", height, "x", width,
           ", would have more than 2^28 pixels");
  const Tensor src = image.contiguous();
  const int64_t h = src.size(0), w = src.size(1), ch = src.size(2);
  std::vector<uint8_t> buf(src.data_ptr<uint8_t>(), src.data_ptr<uint8_t>() + src.numel());
  // Pillow skips a pass whose size does not change; horizontal goes first.
  if (width != w) buf = resample_axis(buf.data(), h, w, ch, width);
  if (height != h) buf = resample_axis(buf.data(), 1, h, width * ch, height);
  return from_bytes(buf, {height, width, ch});
}

Tensor resize(const Tensor& image, int64_t size) {
  check_image(image, "resize");
  TL_CHECK(size > 0, "resize: size must be positive, got ", size);
  const int64_t h = image.size(0), w = image.size(1);
  const int64_t short_side = std::min(h, w), long_side = std::max(h, w);
  const auto new_long =
      static_cast<int64_t>(static_cast<double>(size * long_side) / static_cast<double>(short_side));
  const int64_t new_h = w <= h ? new_long : size, new_w = w <= h ? size : new_long;
  if (new_h == h && new_w == w) return image;
  return resize_bilinear(image, new_h, new_w);
}

Tensor center_crop(const Tensor& image, int64_t size) {
  check_image(image, "center_crop");
  TL_CHECK(size > 0, "center_crop: size must be positive, got ", size);
  Tensor img = image.contiguous();
  int64_t h = img.size(0), w = img.size(1);
  const int64_t ch = img.size(2);
  if (size > h || size > w) {
    const int64_t left = size > w ? (size - w) / 2 : 0, top = size > h ? (size - h) / 2 : 0;
    const int64_t ph = std::max(h, size), pw = std::max(w, size);
    Tensor padded = zeros({ph, pw, ch}, kUInt8);
    for (int64_t y = 0; y < h; ++y)
      std::memcpy(padded.data_ptr<uint8_t>() + ((y + top) * pw + left) * ch,
                  img.data_ptr<uint8_t>() + y * w * ch, w * ch);
    img = padded;
    h = ph;
    w = pw;
  }
  const auto top = static_cast<int64_t>(std::nearbyint((h - size) / 2.0));
  const auto left = static_cast<int64_t>(std::nearbyint((w - size) / 2.0));
  Tensor out = empty({size, size, ch}, kUInt8);
  for (int64_t y = 0; y < size; ++y)
    std::memcpy(out.data_ptr<uint8_t>() + y * size * ch,
                img.data_ptr<uint8_t>() + ((y + top) * w + left) * ch, size * ch);
  return out;
}

Tensor to_tensor(const Tensor& image) {
  check_image(image, "to_tensor");
  const Tensor src = image.contiguous();
  const int64_t h = src.size(0), w = src.size(1), ch = src.size(2);
  Tensor out = empty({ch, h, w}, kFloat32);
  const uint8_t* in = src.data_ptr<uint8_t>();
  float* o = out.data_ptr<float>();
  for (int64_t c = 0; c < ch; ++c)
    for (int64_t i = 0; i < h * w; ++i)
      o[c * h * w + i] = static_cast<float>(in[i * ch + c]) / 255.0f;
  return out;
}

Tensor normalize(const Tensor& tensor, const std::array<float, 3>& mean,
                 const std::array<float, 3>& std) {
  TL_CHECK(tensor.dtype() == kFloat32 && tensor.dim() == 3 && tensor.size(0) == 3,
           "normalize: expected a float32 tensor [3, H, W], got ", dtype_name(tensor.dtype()),
           " of shape ", tensor.sizes());
  for (float s : std)
    TL_CHECK(s != 0.0f,
             "std evaluated to zero after conversion to float, leading to division by "
             "zero.");
  const Tensor src = tensor.contiguous();
  Tensor out = empty(src.sizes(), kFloat32);
  const int64_t plane = src.size(1) * src.size(2);
  const float* in = src.data_ptr<float>();
  float* o = out.data_ptr<float>();
  for (int64_t c = 0; c < 3; ++c)
    for (int64_t i = 0; i < plane; ++i) o[c * plane + i] = (in[c * plane + i] - mean[c]) / std[c];
  return out;
}

Tensor imagenet_eval(const Tensor& image) {
  return normalize(to_tensor(center_crop(resize(image, 256), 224)), {0.485f, 0.456f, 0.406f},
                   {0.229f, 0.224f, 0.225f});
}

}  // namespace torchlite::data::transforms
