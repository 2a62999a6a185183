# map.gp - the layout: grid polygons coloured by a metric, facilities by
# tier (distinct symbols), unit bases sized by units, grid labels, a scale
# bar in km.  Panels side by side share the map extent.
# data: per panel two words: "mapV_grids.dat mapV_sites.dat".
# Per panel i: ng_i (grids), col_i (value column), cbmin_i, cbmax_i,
# better_i (-1 smaller is better, 1 larger, 0 neither), ptitle_i.
# n_panels, xmin xmax ymin ymax (km), scale_km, tier_1..tier_4.
cols = n_panels < 2 ? 1 : 2
rows = int((n_panels + cols - 1) / cols)
pw = n_panels == 1 ? 900 : 520
dx = xmax - xmin; dy = ymax - ymin; pad = 0.06 * (dx > dy ? dx : dy)
ph = int(pw * (dy + 2 * pad) / (dx + 2 * pad)) + 90
eval term_cmd(cols * pw, rows * ph + 90)
set output out
set multiplot layout rows, cols title title font ",13"
set size ratio -1
set xrange [xmin - pad:xmax + pad]
set yrange [ymin - 2 * pad:ymax + pad]
set xlabel "km" offset 0,0.5
set ylabel "km" offset 1,0
set tics font ",8"
unset grid
set key outside bottom center horizontal maxrows 2 font ",9" samplen 1 spacing 1
set style fill solid 0.85 border lc rgb "#555555"
do for [i=1:n_panels] {
    g = word(data, 2 * i - 1); st = word(data, 2 * i)
    b = value(sprintf("better_%d", i))
    if (b < 0) { set palette defined (0 "#f7fcf5", 0.5 "#fdae61", 1 "#b2182b") }
    if (b > 0) { set palette defined (0 "#b2182b", 0.5 "#fdae61", 1 "#f7fcf5") }
    if (b == 0) { set palette defined (0 "#f7fbff", 1 "#08519c") }
    set cbrange [value(sprintf("cbmin_%d", i)):value(sprintf("cbmax_%d", i))]
    set rmargin 9
    set colorbox vertical user origin graph 1.03, graph 0.1 size graph 0.035, graph 0.8
    set cbtics font ",8"
    set title value(sprintf("ptitle_%d", i)) font ",11"
    c = value(sprintf("col_%d", i))
    set arrow 1 from xmin, ymin - 1.2 * pad to xmin + scale_km, ymin - 1.2 * pad nohead lw 3 lc rgb "#000000" front
    set label 1 sprintf("%g km", scale_km) at xmin + scale_km / 2, ymin - 0.6 * pad center front font ",9"
    plot for [k=0:value(sprintf("ng_%d", i))-1] g index k using 1:2:c with filledcurves closed fc palette notitle, \
         st index 4 using 1:2:(1.9 + 0.22 * sqrt($3)) with points pt 6 ps variable lc rgb "#555555" lw 1 title "单位驻地 unit base (ring ∝ units; number = units)", \
         st index 4 using 1:2:4 with labels left offset 1.1,0.8 font ",8" tc rgb "#555555" notitle, \
         st index 0 using 1:2 with points pt 5 ps 1.6 lc rgb "#000080" title tier_1, \
         st index 1 using 1:2 with points pt 7 ps 1.4 lc rgb "#7b3294" title tier_2, \
         st index 2 using 1:2 with points pt 9 ps 1.4 lc rgb "#006d2c" title tier_3, \
         st index 3 using 1:2 with points pt 13 ps 1.4 lc rgb "#b35806" title tier_4, \
         st index 5 using 1:2:3 with labels font ",9" tc rgb "#333333" offset 0,-1 notitle
}
unset multiplot
