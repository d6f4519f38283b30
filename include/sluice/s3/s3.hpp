// SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// The S3 module in one include: locations, endpoints and addressing, credentials, the SigV4
/// signer, the client, and the stages on top (object sink; the S3 backend of the storage layer,
/// `s3::blob_store`, and the checkpoint store and dead letters over it).

#include "sluice/s3/addressing.hpp"
#include "sluice/s3/blob_store.hpp"
#include "sluice/s3/checkpoint_store.hpp"
#include "sluice/s3/client.hpp"
#include "sluice/s3/connect.hpp"
#include "sluice/s3/credentials.hpp"
#include "sluice/s3/dead_letters.hpp"
#include "sluice/s3/error.hpp"
#include "sluice/s3/location.hpp"
#include "sluice/s3/object_info.hpp"
#include "sluice/s3/object_sink.hpp"
#include "sluice/s3/sha256.hpp"
#include "sluice/s3/sigv4.hpp"
