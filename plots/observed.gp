# observed.gp - a replayed CAD log's own timings against the simulation's:
# ECDFs of received -> arrived, received -> dispatched and dispatched ->
# arrived, one panel each; simulated as a line with its 95% CI band across
# replications, observed (the log) dashed.
# data: one index block per (panel, series): panel p (1..3) has block
# 2p-2 simulated "minutes mean lo hi" and 2p-1 observed "minutes share".
# ptitle_1..3 (panel titles), xmax, sim_label, obs_label.
eval term_cmd(1200, 460)
set output out
set multiplot layout 1, 3 title title font ",13"
set xrange [0:xmax]
set yrange [0:100]
set xlabel "分钟 minutes"
set key right bottom font ",9"
set style fill transparent solid 0.2 noborder
do for [p=1:3] {
    set title value(sprintf("ptitle_%d", p)) font ",11"
    if (p == 1) { set ylabel "在此时间内的比例 share within x (%)" } else { unset ylabel }
    plot data index (2*p-2) using 1:3:4 with filledcurves lt 1 notitle, \
         data index (2*p-2) using 1:2 with lines lt 1 lw 2 title sim_label, \
         data index (2*p-1) using 1:2 with lines lt 2 lw 2 dt 2 title obs_label
}
unset multiplot
