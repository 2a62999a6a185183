# obsvsim_hours.gp - a replayed CAD log against the simulation, call by
# call, by hour band of the received time: the median and 90th percentile
# of received -> arrived, observed (the log: open markers) and simulated
# (filled markers with the 95% CI across replications).
# data: one row per band "mid_hour from to obs_med sim_med lo hi obs_p90
# sim_p90 lo hi".  med_label, p90_label.
eval term_cmd(1000, 460)
set output out
set title title font ",13"
set xlabel "时段 hour band of the call (received)"
set ylabel "接警到到场 received → arrived (min)"
set xrange [0:24]
set xtics 0, 2, 24
set yrange [0:*]
set key outside bottom center horizontal
set bmargin 6.7                 # the key's two rows under the x-axis label (hours.gp)
set style fill transparent solid 0.18 noborder
plot data using 1:($6):($7) with filledcurves lt 1 notitle, \
     data using 1:5 with linespoints lt 1 pt 7 ps 0.8 title "仿真 simulated " . med_label, \
     data using 1:4 with points lt 2 pt 6 ps 1.2 title "记录 observed " . med_label, \
     data using 1:($10):($11) with filledcurves lt 3 notitle, \
     data using 1:9 with linespoints lt 3 pt 5 ps 0.8 title "仿真 simulated " . p90_label, \
     data using 1:8 with points lt 4 pt 4 ps 1.2 title "记录 observed " . p90_label
