// IntVector: a std::vector<int64_t>-like list that keeps up to six values inline, so that the
// sizes and strides of a tensor cost no heap allocation.
#pragma once

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <iterator>
#include <memory>
#include <vector>

namespace torchlite {

/// A vector of int64_t with inline storage for kInline elements (the common tensor ranks).
class IntVector {
 public:
  static constexpr size_t kInline = 6;
  using value_type = int64_t;
  using iterator = int64_t*;
  using const_iterator = const int64_t*;
  using size_type = size_t;

  IntVector() = default;
  IntVector(std::initializer_list<int64_t> list) { assign(list.begin(), list.end()); }
  explicit IntVector(size_t n, int64_t value = 0) { resize(n, value); }
  template <class It, class = decltype(*std::declval<It>())>
  IntVector(It first, It last) {
    assign(first, last);
  }
  IntVector(const std::vector<int64_t>& v) { assign(v.begin(), v.end()); }  // NOLINT
  IntVector(const IntVector& other) { assign(other.begin(), other.end()); }
  IntVector(IntVector&& other) noexcept { steal(other); }
  IntVector& operator=(const IntVector& other) {
    if (this != &other) assign(other.begin(), other.end());
    return *this;
  }
  IntVector& operator=(IntVector&& other) noexcept {
    if (this != &other) steal(other);
    return *this;
  }
  IntVector& operator=(std::initializer_list<int64_t> list) {
    assign(list.begin(), list.end());
    return *this;
  }
  operator std::vector<int64_t>() const { return std::vector<int64_t>(begin(), end()); }  // NOLINT

  int64_t* data() { return heap_ ? heap_.get() : inline_; }
  const int64_t* data() const { return heap_ ? heap_.get() : inline_; }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  iterator begin() { return data(); }
  iterator end() { return data() + size_; }
  const_iterator begin() const { return data(); }
  const_iterator end() const { return data() + size_; }
  std::reverse_iterator<iterator> rbegin() { return std::reverse_iterator<iterator>(end()); }
  std::reverse_iterator<iterator> rend() { return std::reverse_iterator<iterator>(begin()); }
  std::reverse_iterator<const_iterator> rbegin() const {
    return std::reverse_iterator<const_iterator>(end());
  }
  std::reverse_iterator<const_iterator> rend() const {
    return std::reverse_iterator<const_iterator>(begin());
  }
  int64_t& operator[](size_t i) { return data()[i]; }
  const int64_t& operator[](size_t i) const { return data()[i]; }
  int64_t& front() { return data()[0]; }
  const int64_t& front() const { return data()[0]; }
  int64_t& back() { return data()[size_ - 1]; }
  const int64_t& back() const { return data()[size_ - 1]; }

  void reserve(size_t n) {
    if (n <= capacity_) return;
    size_t cap = std::max(n, capacity_ * 2);
    auto fresh = std::make_unique<int64_t[]>(cap);
    std::copy(begin(), end(), fresh.get());
    heap_ = std::move(fresh);
    capacity_ = cap;
  }
  void resize(size_t n, int64_t value = 0) {
    reserve(n);
    for (size_t i = size_; i < n; ++i) data()[i] = value;
    size_ = n;
  }
  void clear() { size_ = 0; }
  void push_back(int64_t v) {
    reserve(size_ + 1);
    data()[size_++] = v;
  }
  void pop_back() { --size_; }
  template <class It>
  void assign(It first, It last) {
    size_ = 0;
    reserve(static_cast<size_t>(std::distance(first, last)));
    for (; first != last; ++first) data()[size_++] = *first;
  }
  iterator insert(const_iterator pos, int64_t v) { return insert(pos, &v, &v + 1); }
  iterator insert(const_iterator pos, std::initializer_list<int64_t> list) {
    return insert(pos, list.begin(), list.end());
  }
  template <class It>
  iterator insert(const_iterator pos, It first, It last) {
    const size_t at = static_cast<size_t>(pos - begin());
    const size_t n = static_cast<size_t>(std::distance(first, last));
    // Copy the new values first: they may point into this vector.
    std::vector<int64_t> values(first, last);
    reserve(size_ + n);
    std::copy_backward(begin() + at, end(), end() + n);
    std::copy(values.begin(), values.end(), begin() + at);
    size_ += n;
    return begin() + at;
  }
  iterator erase(const_iterator pos) { return erase(pos, pos + 1); }
  iterator erase(const_iterator first, const_iterator last) {
    const size_t at = static_cast<size_t>(first - begin());
    const size_t n = static_cast<size_t>(last - first);
    std::copy(begin() + at + n, end(), begin() + at);
    size_ -= n;
    return begin() + at;
  }

  friend bool operator==(const IntVector& a, const IntVector& b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end());
  }
  friend bool operator!=(const IntVector& a, const IntVector& b) { return !(a == b); }
  friend bool operator==(const IntVector& a, const std::vector<int64_t>& b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end());
  }

 private:
  void steal(IntVector& other) {
    if (other.heap_) {
      heap_ = std::move(other.heap_);
      capacity_ = other.capacity_;
      size_ = other.size_;
      other.capacity_ = kInline;
      other.size_ = 0;
      return;
    }
    heap_.reset();
    capacity_ = kInline;
    assign(other.begin(), other.end());
    other.size_ = 0;
  }

  int64_t inline_[kInline] = {};
  std::unique_ptr<int64_t[]> heap_;
  size_t size_ = 0;
  size_t capacity_ = kInline;
};

}  // namespace torchlite
