/*
 * Project submissions: create, upload-and-process and process.
 */
#ifndef BOMD_API_SUBMIT_H
#define BOMD_API_SUBMIT_H

#include "api_route.h"

extern const struct api_route api_submit_routes[];

#endif
