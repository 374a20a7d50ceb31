/*
 * Project submissions: create, upload-and-process and process.
 */
#ifndef BOMD_API_SUBMIT_H
#define BOMD_API_SUBMIT_H

#include "api_route.h"

/* Handlers of api_routes[] (api_route.c). */
api_route_fn	api_submit_create, api_submit_upload_and_process,
    api_submit_process;

#endif
