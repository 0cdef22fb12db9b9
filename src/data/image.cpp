// JPEG (libjpeg-turbo) and PNG (libpng) decoding into PIL's convert("RGB") pixels. Both libraries
// report errors through longjmp: every decoder below keeps only trivially destructible locals
// between its setjmp and the library calls, and turns the message into a torchlite::Error.
#include "torchlite/data/image.h"

#include <jpeglib.h>
#include <png.h>

#include <algorithm>
#include <cerrno>
#include <csetjmp>
#include <cstdio>  // before jpeglib.h, which needs FILE and size_t
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "torchlite/error.h"

namespace torchlite::data {

namespace {

// Twice PIL's decompression-bomb warning limit is an error there; a round 2^28 here.
constexpr size_t kMaxPixels = size_t{1} << 28;

struct Pixels {
  int64_t height = 0, width = 0;
  std::vector<uint8_t> rgb;  // [height, width, 3]
};

// ------------------------------------------------------------------------------------ JPEG

struct JpegContext {
  jpeg_error_mgr mgr;  // first: libjpeg hands back a pointer to it
  std::jmp_buf jump;
  char message[JMSG_LENGTH_MAX];
};

[[noreturn]] void jpeg_fail(j_common_ptr cinfo) {
  auto* ctx = reinterpret_cast<JpegContext*>(cinfo->err);
  cinfo->err->format_message(cinfo, ctx->message);
  std::longjmp(ctx->jump, 1);
}

// Warnings (e.g. extraneous bytes between markers) are ignored, as PIL does.
void jpeg_quiet(j_common_ptr) {}

void jpeg_source_init(j_decompress_ptr) {}
void jpeg_source_term(j_decompress_ptr) {}

// The whole file is in the buffer: asking for more means it ended early. (jpeg_mem_src would
// instead insert a fake end marker and decode gray, where PIL says the file is truncated.)
boolean jpeg_source_fill(j_decompress_ptr cinfo) {
  auto* ctx = reinterpret_cast<JpegContext*>(cinfo->err);
  std::snprintf(ctx->message, sizeof ctx->message, "image file is truncated");
  std::longjmp(ctx->jump, 1);
}

void jpeg_source_skip(j_decompress_ptr cinfo, long count) {
  if (count <= 0) return;
  if (static_cast<size_t>(count) > cinfo->src->bytes_in_buffer) jpeg_source_fill(cinfo);
  cinfo->src->next_input_byte += count;
  cinfo->src->bytes_in_buffer -= static_cast<size_t>(count);
}

// Pillow 9.4's cmyk2rgb (Convert.c) on Adobe-inverted CMYK: channel = nk - c * nk / 255, rounded.
uint8_t cmyk_channel(int c, int nk) {
  const int t = c * nk + 128;
  const int v = nk - (((t >> 8) + t) >> 8);
  return static_cast<uint8_t>(v < 0 ? 0 : v > 255 ? 255 : v);
}

// Returns "" on success, else libjpeg's message.
std::string decode_jpeg(const uint8_t* data, size_t size, Pixels& out) {
  jpeg_decompress_struct cinfo;
  JpegContext ctx;
  jpeg_source_mgr source;
  std::memset(&cinfo, 0, sizeof cinfo);
  cinfo.err = jpeg_std_error(&ctx.mgr);
  ctx.mgr.error_exit = jpeg_fail;
  ctx.mgr.output_message = jpeg_quiet;
  ctx.message[0] = '\0';
  if (setjmp(ctx.jump)) {
    jpeg_destroy_decompress(&cinfo);
    return ctx.message;
  }
  jpeg_create_decompress(&cinfo);
  source.next_input_byte = data;
  source.bytes_in_buffer = size;
  source.init_source = jpeg_source_init;
  source.fill_input_buffer = jpeg_source_fill;
  source.skip_input_data = jpeg_source_skip;
  source.resync_to_restart = jpeg_resync_to_restart;
  source.term_source = jpeg_source_term;
  cinfo.src = &source;
  jpeg_read_header(&cinfo, TRUE);
  // PIL's modes: 1 component -> L, 3 -> RGB, 4 -> CMYK (read as Adobe's inverted CMYK).
  const bool cmyk = cinfo.num_components == 4;
  if (cinfo.num_components == 1)
    cinfo.out_color_space = JCS_GRAYSCALE;
  else if (cmyk)
    cinfo.out_color_space = JCS_CMYK;
  else
    cinfo.out_color_space = JCS_RGB;
  jpeg_start_decompress(&cinfo);
  const size_t w = cinfo.output_width, h = cinfo.output_height;
  const size_t channels = static_cast<size_t>(cinfo.output_components);
  out.width = static_cast<int64_t>(w);
  out.height = static_cast<int64_t>(h);
  if (w * h > kMaxPixels) {
    std::snprintf(ctx.message, sizeof ctx.message, "the image has more than 2^28 pixels");
    std::longjmp(ctx.jump, 1);
  }
  // One row buffer of the widest layout after the pixels, so that nothing needs destroying here.
  out.rgb.resize(w * h * 3 + w * 4);
  uint8_t* row = out.rgb.data() + w * h * 3;
  while (cinfo.output_scanline < cinfo.output_height) {
    const size_t y = cinfo.output_scanline;
    JSAMPROW rows[1] = {channels == 3 ? out.rgb.data() + y * w * 3 : row};
    jpeg_read_scanlines(&cinfo, rows, 1);
    uint8_t* dst = out.rgb.data() + y * w * 3;
    if (channels == 1) {
      for (size_t x = 0; x < w; ++x) dst[3 * x] = dst[3 * x + 1] = dst[3 * x + 2] = row[x];
    } else if (cmyk) {
      for (size_t x = 0; x < w; ++x) {
        const int nk = row[4 * x + 3];  // 255 - (255 - k): the inverted K is PIL's 255 - K
        for (int c = 0; c < 3; ++c) dst[3 * x + c] = cmyk_channel(255 - row[4 * x + c], nk);
      }
    }
  }
  jpeg_finish_decompress(&cinfo);
  jpeg_destroy_decompress(&cinfo);
  out.rgb.resize(w * h * 3);
  return "";
}

// ------------------------------------------------------------------------------------- PNG

struct PngContext {
  const uint8_t* data;
  size_t size, pos;
  char message[256];
};

[[noreturn]] void png_fail(png_structp png, png_const_charp message) {
  auto* ctx = static_cast<PngContext*>(png_get_error_ptr(png));
  std::snprintf(ctx->message, sizeof ctx->message, "%s", message);
  png_longjmp(png, 1);
}

void png_quiet(png_structp, png_const_charp) {}

void png_source(png_structp png, png_bytep dst, size_t count) {
  auto* ctx = static_cast<PngContext*>(png_get_io_ptr(png));
  if (count > ctx->size - ctx->pos) png_error(png, "image file is truncated");
  std::memcpy(dst, ctx->data + ctx->pos, count);
  ctx->pos += count;
}

std::string decode_png(const uint8_t* data, size_t size, Pixels& out) {
  PngContext ctx{data, size, 0, {0}};
  png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &ctx, png_fail, png_quiet);
  if (!png) return "out of memory";
  png_infop info = png_create_info_struct(png);
  if (!info) {
    png_destroy_read_struct(&png, nullptr, nullptr);
    return "out of memory";
  }
  if (setjmp(png_jmpbuf(png))) {
    png_destroy_read_struct(&png, &info, nullptr);
    return ctx.message;
  }
  png_set_read_fn(png, &ctx, png_source);
  png_read_info(png, info);
  const int color = png_get_color_type(png, info);
  const int depth = png_get_bit_depth(png, info);
  // PIL opens 16-bit grayscale as mode I, whose conversion to RGB clips at 255; every other
  // 16-bit mode keeps the high byte (its unpackers read "RGB;16B", "LA;16B", ...).
  const bool gray16 = color == PNG_COLOR_TYPE_GRAY && depth == 16;
  if (color == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(png);
  if (color == PNG_COLOR_TYPE_GRAY && depth < 8) png_set_expand_gray_1_2_4_to_8(png);
  if (depth == 16 && !gray16) png_set_strip_16(png);
  png_set_strip_alpha(png);  // convert("RGB") drops alpha, tRNS included, without compositing
  png_set_interlace_handling(png);
  png_read_update_info(png, info);
  const size_t w = png_get_image_width(png, info), h = png_get_image_height(png, info);
  const size_t channels = png_get_channels(png, info);
  const size_t rowbytes = png_get_rowbytes(png, info);
  if (w * h > kMaxPixels) png_error(png, "the image has more than 2^28 pixels");
  out.width = static_cast<int64_t>(w);
  out.height = static_cast<int64_t>(h);
  // Decoded rows first (interlaced images need them all), expanded to RGB in place afterwards.
  // The row pointers follow the pixels, at an offset aligned for a pointer.
  const size_t stride = std::max(rowbytes, w * 3);
  const size_t rows_at = (stride * h + alignof(png_bytep) - 1) / alignof(png_bytep) *
                         alignof(png_bytep);
  out.rgb.resize(rows_at + h * sizeof(png_bytep));
  auto** rows = reinterpret_cast<png_bytep*>(out.rgb.data() + rows_at);
  for (size_t y = 0; y < h; ++y) rows[y] = out.rgb.data() + y * stride;
  png_read_image(png, rows);
  png_destroy_read_struct(&png, &info, nullptr);
  // Row y moves to y * w * 3 <= y * stride, so going top-down never overwrites unread bytes;
  // within a row, gray expands right-to-left.
  for (size_t y = 0; y < h; ++y) {
    const uint8_t* src = out.rgb.data() + y * stride;
    uint8_t* dst = out.rgb.data() + y * w * 3;
    if (channels == 3) {
      std::memmove(dst, src, w * 3);
    } else if (gray16) {
      for (size_t x = w; x-- > 0;) {
        const int v = (src[2 * x] << 8) | src[2 * x + 1];
        dst[3 * x] = dst[3 * x + 1] = dst[3 * x + 2] = static_cast<uint8_t>(v > 255 ? 255 : v);
      }
    } else {
      for (size_t x = w; x-- > 0;) dst[3 * x] = dst[3 * x + 1] = dst[3 * x + 2] = src[x];
    }
  }
  out.rgb.resize(w * h * 3);
  return "";
}

}  // namespace

Tensor decode_image(const uint8_t* data, size_t size, const std::string& name) {
  static const uint8_t kPng[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  Pixels px;
  std::string problem;
  if (size >= 3 && data[0] == 0xff && data[1] == 0xd8 && data[2] == 0xff)
    problem = decode_jpeg(data, size, px);
  else if (size >= sizeof kPng && std::memcmp(data, kPng, sizeof kPng) == 0)
    problem = decode_png(data, size, px);
  else
    throw Error(name + ": cannot identify image file (torchlite reads JPEG and PNG)");
  if (!problem.empty()) throw Error(name + ": " + problem);
  if (px.width == 0 || px.height == 0) throw Error(name + ": the image is empty");
  Tensor t = empty({px.height, px.width, 3}, kUInt8);
  std::memcpy(t.data_ptr<uint8_t>(), px.rgb.data(), px.rgb.size());
  return t;
}

Tensor read_image(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw Error(path + ": cannot open file: " + std::strerror(errno ? errno : ENOENT));
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  if (f.bad()) throw Error(path + ": read error");
  return decode_image(bytes.data(), bytes.size(), path);
}

}  // namespace torchlite::data
