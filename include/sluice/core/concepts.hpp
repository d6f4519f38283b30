// SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// All stage concepts of sluice.

#include "sluice/core/concepts/checkpoint_store.hpp"
#include "sluice/core/concepts/codec.hpp"
#include "sluice/core/concepts/dead_letter_sink.hpp"
#include "sluice/core/concepts/idempotency_policy.hpp"
#include "sluice/core/concepts/sink.hpp"
#include "sluice/core/concepts/source.hpp"
#include "sluice/core/concepts/tags.hpp"
#include "sluice/core/concepts/transform.hpp"
