/* geo.h - planar geometry for grids: polygons, point location, sampling.
 *
 * Coordinates are planar kilometres.  Point-in-polygon uses the half-open
 * crossing rule, so a point on an edge shared by two grids belongs to exactly
 * one of them (for axis-aligned rectangles: [xmin, xmax) x [ymin, ymax)).
 * geo_index buckets polygons by bounding box in a uniform cell grid so that
 * point location costs O(polygons per cell), not O(all polygons), and a
 * cell lying wholly inside one polygon answers without any test.
 */
#ifndef PATROLSIM_GEO_H
#define PATROLSIM_GEO_H

#include <gsl/gsl_rng.h>

struct geo_pt {
    double x, y;   /* km */
};

/* One ring of a multi-ring polygon: vertices v[start .. start + n). */
struct geo_ring {
    int start, n;
    int hole;             /* 1: a hole (its inside is outside the polygon) */
};

/* A grid's shape.  The common case is one ring: v[0..n) with ring == NULL.
 * A GIS shape with holes or several parts (GeoJSON Polygon with interior
 * rings, MultiPolygon) lists every ring's vertices in v, one ring after the
 * other, and describes them in ring[0..nring).  Containment is even-odd over
 * all edges, so parts may share edges and holes cut out of their part;
 * after geo_poly_finish every outer ring runs counter-clockwise and every
 * hole clockwise, so the inside is always on the left of an edge. */
struct geo_poly {
    struct geo_pt *v;     /* vertices; a ring does not repeat its first at the end */
    int n;                /* all vertices */
    struct geo_ring *ring;  /* NULL: v[0..n) is the only ring */
    int nring;
    double area;          /* km^2, > 0: outer rings minus holes */
    struct geo_pt centroid;
    double xmin, ymin, xmax, ymax;
    int rect;             /* set by geo_poly_finish: one axis-aligned rectangle,
                             so containment is the half-open box alone */
};

/* Fills area, centroid and bbox from v/n (and ring/nring); orientation is
 * normalised as above.  Returns 0, or -1 if a ring is degenerate (fewer
 * than 3 vertices or zero area) or self-intersecting, if two rings cross,
 * or if the holes leave no area. */
int geo_poly_finish(struct geo_poly *p);
int geo_poly_contains(const struct geo_poly *p, double x, double y);
/* Distance in km from (x, y) to the nearest edge of p (0 on an edge). */
double geo_poly_edge_dist(const struct geo_poly *p, double x, double y);
/* Uniform point inside p, by rejection from the bounding box. */
void geo_poly_sample(const struct geo_poly *p, gsl_rng *r, double *x, double *y);
/* 1 if the interiors of a and b intersect (area of overlap > 0). */
int geo_poly_overlap(const struct geo_poly *a, const struct geo_poly *b);

/* WGS84 longitude/latitude to planar km: an equirectangular projection
 * around an origin, x east and y north, with the mean Earth radius.  Over a
 * city (tens of km) its scale error is below 0.1%, far below the other
 * uncertainties of a travel model, and it keeps straight lines straight
 * enough for point-in-polygon to agree with GIS. */
#define GEO_EARTH_RADIUS_KM 6371.0088

struct geo_proj {
    double lat0, lon0;    /* origin, degrees */
    double kx, ky;        /* km per degree of longitude / latitude */
};

void geo_proj_init(struct geo_proj *p, double lat0, double lon0);
void geo_project(const struct geo_proj *p, double lat, double lon, double *x, double *y);
/* The inverse: km back to degrees. */
void geo_unproject(const struct geo_proj *p, double x, double y, double *lat, double *lon);

struct geo_index;
/* polys must outlive the index. */
struct geo_index *geo_index_new(const struct geo_poly *polys, int n);
void geo_index_free(struct geo_index *g);
/* Index of the polygon containing (x, y), lowest index first; -1 if none. */
int geo_index_locate(const struct geo_index *g, double x, double y);
/* Cells that answer without a point-in-polygon test, of *cells in all. */
int geo_index_direct_cells(const struct geo_index *g, int *cells);
/* Axes (0-2) whose cell locate finds by one multiply, a truncation and one
 * comparison with a cell edge, rather than by searching the edges (for
 * tests). */
int geo_index_exact_guess(const struct geo_index *g);

#endif
