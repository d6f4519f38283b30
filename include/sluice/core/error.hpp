// SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// Errors of the whole library: the `result<T>` type every stage call returns, the library's own
/// error codes (`sluice::errc`), the classification conditions (`sluice::condition`) that policies
/// test against, and the `SLUICE_TRY` / `SLUICE_TRYV` propagation macros.

#include <boost/outcome/std_result.hpp>
#include <boost/outcome/try.hpp>
#include <boost/version.hpp>

#include <string>
#include <system_error>
#include <type_traits>

namespace sluice::inline v0 {

/// The result of every fallible call in sluice: a value or a `std::error_code`.
///
/// Never `outcome::result`, whose default error type is `boost::system::error_code`.
template <class T>
using result = BOOST_OUTCOME_V2_NAMESPACE::std_result<T>;

/// Success value for `result<void>`.
inline auto success() noexcept { return BOOST_OUTCOME_V2_NAMESPACE::success(); }

/// The library's own error codes (category `"sluice"`).
enum class errc {
  ok = 0,
  invalid_json,           ///< the input is not JSON (as Java Avro's reader accepts it)
  invalid_schema,         ///< the JSON is not a valid Avro schema
  unknown_type,           ///< a type name that is neither primitive nor defined
  duplicate_name,         ///< a field, enum symbol, union branch or named type given twice
  invalid_name,           ///< a name that breaks Avro's naming rules
  missing_attribute,      ///< a required attribute (name, type, fields, symbols, size …) missing
  invalid_default,        ///< a default value that does not match its field's type
  invalid_key,            ///< a message key that is not a safe `db.schema.table`
  filtered,               ///< the record was dropped on purpose (e.g. the envelope schema)
  io_error,               ///< a local file or stream operation failed
  timeout,                ///< an operation did not finish in time
  unavailable,            ///< a service or resource is temporarily unavailable
  invalid_argument,       ///< a caller passed an argument outside the contract
  corrupt_state,          ///< persisted state (checkpoint, log) cannot be read back
  cancelled,              ///< the operation was stopped by a shutdown request
  access_denied,          ///< credentials rejected or permission refused by a service
  protocol_error,         ///< a service answered outside its protocol (unexpected reply)
  too_large,              ///< a message or object exceeds the configured maximum
};

/// Classification of errors from every domain, so policies can decide without knowing the source.
///
/// Test with `ec == sluice::condition::retriable`; every sluice category implements
/// `equivalent()` for these.
enum class condition {
  retriable = 1,  ///< trying again later may succeed (timeouts, throttling, unavailable service)
  fatal,          ///< trying again will not help; stop and report
  duplicate,      ///< the effect already happened (idempotent replay)
  invalid_input,  ///< the input record is bad: reject it into the dead letters, go on
};

namespace detail {

class errc_category_impl final : public std::error_category {
 public:
  const char* name() const noexcept override { return "sluice"; }
  std::string message(int ev) const override {
    switch (static_cast<errc>(ev)) {
      case errc::ok: return "success";
      case errc::invalid_json: return "invalid JSON";
      case errc::invalid_schema: return "invalid Avro schema";
      case errc::unknown_type: return "unknown type";
      case errc::duplicate_name: return "duplicate name";
      case errc::invalid_name: return "invalid name";
      case errc::missing_attribute: return "missing attribute";
      case errc::invalid_default: return "invalid default value";
      case errc::invalid_key: return "invalid key";
      case errc::filtered: return "filtered out";
      case errc::io_error: return "I/O error";
      case errc::timeout: return "timed out";
      case errc::unavailable: return "unavailable";
      case errc::invalid_argument: return "invalid argument";
      case errc::corrupt_state: return "corrupt state";
      case errc::cancelled: return "cancelled";
      case errc::access_denied: return "access denied";
      case errc::protocol_error: return "protocol error";
      case errc::too_large: return "too large";
    }
    return "unknown sluice error";
  }
  bool equivalent(int ev, const std::error_condition& cond) const noexcept override;
};

class condition_category_impl final : public std::error_category {
 public:
  const char* name() const noexcept override { return "sluice.condition"; }
  std::string message(int ev) const override {
    switch (static_cast<condition>(ev)) {
      case condition::retriable: return "retriable";
      case condition::fatal: return "fatal";
      case condition::duplicate: return "duplicate";
      case condition::invalid_input: return "invalid input";
    }
    return "unknown condition";
  }
  // Foreign codes (std::errc from the OS) are classified here, since the OS categories cannot be
  // taught our conditions.
  bool equivalent(const std::error_code& ec, int cv) const noexcept override {
    if (ec.category() == *this) return ec.value() == cv;
    if (ec.category() == std::generic_category() || ec.category() == std::system_category()) {
      const auto e = ec.default_error_condition();
      const bool transient = e == std::errc::timed_out || e == std::errc::interrupted ||
                             e == std::errc::resource_unavailable_try_again ||
                             e == std::errc::connection_reset || e == std::errc::connection_refused;
      switch (static_cast<condition>(cv)) {
        case condition::retriable: return transient;
        case condition::fatal: return !transient;
        default: return false;
      }
    }
    return false;
  }
};

}  // namespace detail

/// The category of `sluice::errc`; one instance per program.
inline const std::error_category& errc_category() noexcept {
  static const detail::errc_category_impl c;
  return c;
}

/// The category of `sluice::condition`; one instance per program.
inline const std::error_category& condition_category() noexcept {
  static const detail::condition_category_impl c;
  return c;
}

/// Makes a `std::error_code` from a library code (found by ADL).
inline std::error_code make_error_code(errc e) noexcept {
  return {static_cast<int>(e), errc_category()};
}

/// Makes a `std::error_condition` from a classification (found by ADL).
inline std::error_condition make_error_condition(condition c) noexcept {
  return {static_cast<int>(c), condition_category()};
}

inline bool detail::errc_category_impl::equivalent(int ev,
                                                   const std::error_condition& cond) const noexcept {
  if (cond.category() != condition_category()) return false;
  switch (static_cast<condition>(cond.value())) {
    case condition::retriable:
      return ev == static_cast<int>(errc::timeout) || ev == static_cast<int>(errc::unavailable);
    case condition::fatal:
      return ev == static_cast<int>(errc::io_error) || ev == static_cast<int>(errc::corrupt_state) ||
             ev == static_cast<int>(errc::invalid_argument) ||
             ev == static_cast<int>(errc::access_denied) ||
             ev == static_cast<int>(errc::protocol_error);
    case condition::duplicate: return false;
    case condition::invalid_input:
      return (ev >= static_cast<int>(errc::invalid_json) && ev <= static_cast<int>(errc::filtered)) ||
             ev == static_cast<int>(errc::too_large);
  }
  return false;
}

}  // namespace sluice::inline v0

template <>
struct std::is_error_code_enum<sluice::errc> : std::true_type {};
template <>
struct std::is_error_condition_enum<sluice::condition> : std::true_type {};

/// Propagates the error of `expr`, else binds its value to `var` (a declaration name).
///
/// Boost 1.74's `BOOST_OUTCOME_TRY(v, e)` declares `v`; 1.76+ wants `BOOST_OUTCOME_TRY(auto v, e)`.
#if BOOST_VERSION >= 107600
#define SLUICE_TRY(var, ...) BOOST_OUTCOME_TRY(auto&& var, __VA_ARGS__)
#else
#define SLUICE_TRY(var, ...) BOOST_OUTCOME_TRY(var, __VA_ARGS__)
#endif

/// Propagates the error of `expr`, discarding its value.
#define SLUICE_TRYV(...) BOOST_OUTCOME_TRYV(__VA_ARGS__)
