# sweep_lines.gp - a metric against a swept parameter with 95% CI error
# bars, one line per value of a second parameter (sweep).
# data: one index block per series, rows "x mean lo hi "x label"".
# n_ser, ser_1 .. ser_N (series names), xlab, ylab, categorical (0/1).
eval term_cmd(900, 480)
set output out
set title title font ",13"
set xlabel xlab
set ylabel ylab
set key outside right top
set bars 2
set offsets graph 0.03, graph 0.03, graph 0.05, graph 0.05
if (categorical) {
    plot for [s=1:n_ser] data index (s-1) using 1:2:3:4:xtic(5) \
         with yerrorlines lt s title value(sprintf("ser_%d", s))
} else {
    plot for [s=1:n_ser] data index (s-1) using 1:2:3:4 \
         with yerrorlines lt s title value(sprintf("ser_%d", s))
}
