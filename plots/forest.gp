# forest.gp - paired differences to the reference variant, in percent of
# the reference's mean, with 95% CIs (compare).
# data: one index block per compared variant, rows
#   "y diff_pct lo_pct hi_pct "label" "absolute difference [CI]"".
# n_rows, n_var, var_1 .. var_K (variant names).
eval term_cmd(1000, 150 + 30 * n_rows)
set output out
set title title font ",13"
set xlabel "paired difference to the reference, % of its mean (95% CI) · 差值占基准均值的百分比"
set yrange [0.3:n_rows + 0.7]
set ytics scale 0
set grid noxtics noytics
set key top right
set arrow 1 from 0, graph 0 to 0, graph 1 nohead dt 2 lc rgb "#444444"
set offsets graph 0.05, graph 0.45, 0, 0
set bars 2
plot for [v=1:n_var] data index (v-1) using 2:1:3:4:ytic(5) \
         with xerrorbars lt v title value(sprintf("var_%d", v)), \
     for [v=1:n_var] data index (v-1) using 4:1:(" " . strcol(6)) \
         with labels left font ",9" textcolor lt v notitle
