# ecdf.gp - response-time ECDF by priority (and variant), with CI bands
# and each priority's target.  data: word 1 = one index block per curve
# "minutes mean lo hi" (percent); word 2 = targets "minutes colour label".
# n_blocks, lab_i, lc_i (colour = priority), dt_i (dash = variant), n_targets, xmax.
eval term_cmd(1000, 520)
set output out
set title title font ",13"
set xlabel "响应时间 response time (minutes from call to first unit on scene)"
set ylabel "在此时间内到达的比例 share reached within x (%)"
set xrange [0:xmax]
set yrange [0:100]
set key right bottom
set style fill transparent solid 0.18 noborder
# targets as dashed verticals in the priority's colour, from the data file
plot for [b=1:n_blocks] word(data, 1) index (b-1) using 1:3:4 with filledcurves lt value(sprintf("lc_%d", b)) notitle, \
     for [b=1:n_blocks] word(data, 1) index (b-1) using 1:2 with lines lt value(sprintf("lc_%d", b)) dt value(sprintf("dt_%d", b)) lw 2 title value(sprintf("lab_%d", b)), \
     word(data, 2) using 1:(0):(0):(100):2 with vectors nohead dt 2 lw 1.5 lc variable notitle, \
     word(data, 2) using 1:(4 + 6 * $0):3 with labels left offset 0.5,0 font ",9" notitle
