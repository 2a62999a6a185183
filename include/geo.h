/* geo.h - planar geometry for grids: polygons, point location, sampling.
 *
 * Coordinates are planar kilometres.  Point-in-polygon uses the half-open
 * crossing rule, so a point on an edge shared by two grids belongs to exactly
 * one of them (for axis-aligned rectangles: [xmin, xmax) x [ymin, ymax)).
 * geo_index buckets polygons by bounding box in a uniform cell grid so that
 * point location costs O(polygons per cell), not O(all polygons).
 */
#ifndef PATROLSIM_GEO_H
#define PATROLSIM_GEO_H

#include <gsl/gsl_rng.h>

struct geo_pt {
    double x, y;   /* km */
};

struct geo_poly {
    struct geo_pt *v;     /* vertices, not repeating the first at the end */
    int n;
    double area;          /* km^2, > 0 */
    struct geo_pt centroid;
    double xmin, ymin, xmax, ymax;
};

/* Fills area, centroid and bbox from v/n; orientation is normalised to
 * counter-clockwise.  Returns 0, or -1 if the polygon is degenerate (fewer
 * than 3 vertices or zero area) or self-intersecting. */
int geo_poly_finish(struct geo_poly *p);
int geo_poly_contains(const struct geo_poly *p, double x, double y);
/* Uniform point inside p, by rejection from the bounding box. */
void geo_poly_sample(const struct geo_poly *p, gsl_rng *r, double *x, double *y);
/* 1 if the interiors of a and b intersect (area of overlap > 0). */
int geo_poly_overlap(const struct geo_poly *a, const struct geo_poly *b);

struct geo_index;
/* polys must outlive the index. */
struct geo_index *geo_index_new(const struct geo_poly *polys, int n);
void geo_index_free(struct geo_index *g);
/* Index of the polygon containing (x, y), lowest index first; -1 if none. */
int geo_index_locate(const struct geo_index *g, double x, double y);

#endif
