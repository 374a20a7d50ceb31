/*
 * Project routes: list, create, detail, trace, delete, process and
 * upload-and-process.
 */
#ifndef BOMD_API_PROJECTS_H
#define BOMD_API_PROJECTS_H

#include "api_route.h"

extern const struct api_route api_projects_routes[];

#endif
