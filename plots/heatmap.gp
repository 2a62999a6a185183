# heatmap.gp - a metric over two swept parameters (sweep): one cell per
# point, coloured by the mean, labelled with the mean and its 95% CI.
# data: rows "i j mean "cell label"" (i, j from 0), then n_x, n_y, xlab,
# ylab, xtics_cmd, ytics_cmd (set xtics/ytics commands with the values).
eval term_cmd(900, 160 + 60 * n_y)
set output out
set title title font ",13"
set xlabel xlab
set ylabel ylab
set xrange [-0.5:n_x - 0.5]
set yrange [-0.5:n_y - 0.5]
eval xtics_cmd
eval ytics_cmd
set grid noxtics noytics
# Light to mid blue, so that the black labels stay readable on every cell.
set palette defined (0 "#f7fbff", 0.5 "#c6dbef", 1 "#4292c6")
set cbtics textcolor rgb "#333333"
set style fill solid 1.0 border rgb "#ffffff"
plot data using 1:2:(0.5):(0.5):3 with boxxyerror fc palette notitle, \
     data using 1:2:4 with labels font ",9" textcolor rgb "#000000" notitle
