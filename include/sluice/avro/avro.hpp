// SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// The Avro schema core of sluice in one include: schema parsing as Java Avro 1.12.2 does it,
/// Parsing Canonical Form, CRC-64-AVRO fingerprints and their representations, preprocessing.

#include <sluice/avro/crc64.hpp>         // IWYU pragma: export
#include <sluice/avro/fingerprint.hpp>   // IWYU pragma: export
#include <sluice/avro/parse_error.hpp>   // IWYU pragma: export
#include <sluice/avro/schema_parser.hpp> // IWYU pragma: export
