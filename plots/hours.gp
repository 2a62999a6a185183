# hours.gp - response time and units on duty by hour of day, CI bands.
# data: one index block per variant:
#   "hour resp_mean lo hi units_on_duty lo hi".  n_var, var_i.
eval term_cmd(1000, 460)
set output out
set title title font ",13"
set xlabel "时段 hour of day (call received)"
set ylabel "平均响应时间 mean response time (min)"
set y2label "在岗单位 units on duty"
set xrange [0:24]
set xtics 0, 3, 24
set yrange [0:*]
# No hour with units on duty measured (they are sampled at half past the
# hour, so a run shorter than half an hour has none): stats
# finds no point and sets nothing, so the axis falls back to [0:1].
undefine STATS_*
stats data using 7 nooutput
set y2range [0:(exists("STATS_max") ? STATS_max * 1.25 + 0.5 : 1)]
set y2tics
set ytics nomirror
set key outside bottom center horizontal
# Room for the key under the x-axis label: gnuplot's own margin lets the
# key's box cover the label; a row of the key per variant.
set bmargin 4.5 + 1.1 * n_var
set style fill transparent solid 0.18 noborder
plot for [v=1:n_var] data index (v-1) using 1:3:4 with filledcurves lt v notitle, \
     for [v=1:n_var] data index (v-1) using 1:2 with linespoints lt v pt 7 ps 0.6 title "响应 response" . (n_var > 1 ? " · " . value(sprintf("var_%d", v)) : ""), \
     for [v=1:n_var] data index (v-1) using 1:6:7 axes x1y2 with filledcurves lt v fs transparent solid 0.10 notitle, \
     for [v=1:n_var] data index (v-1) using 1:5 axes x1y2 with lines lt v dt 2 title "在岗 on duty" . (n_var > 1 ? " · " . value(sprintf("var_%d", v)) : "")
