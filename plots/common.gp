# common.gp - house style of the report charts, read before every chart
# script (patrolsim --report copies both into charts/ID.gp).  Variables set
# before it: data (data file names, space-separated), out, title, fmt
# ("svg" or "png").
set encoding utf8
# term_cmd(w, h): the terminal for fmt at w x h pixels; `eval term_cmd(..)`.
term_cmd(w, h) = fmt eq "png" \
    ? sprintf("set terminal pngcairo size %d,%d font 'sans-serif,10' noenhanced", w, h) \
    : sprintf("set terminal svg size %d,%d font 'sans-serif,11' noenhanced background '#ffffff'", w, h)
# Colour-blind-safe series colours (Okabe & Ito).
set linetype 1 lc rgb "#0072B2" lw 2 pt 7
set linetype 2 lc rgb "#D55E00" lw 2 pt 5
set linetype 3 lc rgb "#009E73" lw 2 pt 9
set linetype 4 lc rgb "#CC79A7" lw 2 pt 13
set linetype 5 lc rgb "#E69F00" lw 2 pt 11
set linetype 6 lc rgb "#56B4E9" lw 2 pt 3
set linetype 7 lc rgb "#000000" lw 2 pt 1
set linetype 8 lc rgb "#F0E442" lw 2 pt 2
set linetype cycle 8
set border 3 lc rgb "#444444"
set tics nomirror textcolor rgb "#333333"
set grid lc rgb "#dddddd" lw 1
set key noopaque box lc rgb "#cccccc"
set style fill transparent solid 0.25 noborder
