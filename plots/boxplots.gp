# boxplots.gp - spread across replications: one box plot per metric.
# data: word 1 = one row per replication, one column per metric;
#       word 2 = rows "metric mean ci95_low ci95_high n".
# n_metrics, reps, lab_1 .. lab_N (metric label with unit).
cols = n_metrics < 5 ? n_metrics : 5
rows = int((n_metrics + cols - 1) / cols)
eval term_cmd(1000, 40 + 250 * rows)
set output out
set multiplot layout rows, cols title title font ",13"
unset key
set grid ytics
set xrange [0.3:1.7]
set xtics ("" 1)
set style boxplot outliers pointtype 6
set style fill empty
set boxwidth 0.45
set samples 1000
set bars 2
do for [i=1:n_metrics] {
    set title value(sprintf("lab_%d", i)) font ",10"
    plot word(data, 1) using (1):i with boxplot lc rgb "#0072B2" lw 1.5 title "replications", \
         '' using (0.75 + 0.1 * rand(0)):i with points pt 7 ps 0.45 lc rgb "#888888" title "one replication", \
         word(data, 2) every ::(i-1)::(i-1) using (1.35):2:3:4 with yerrorbars pt 7 ps 0.8 lc rgb "#D55E00" lw 2 title "mean, 95% CI"
}
unset multiplot
