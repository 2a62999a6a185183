# load.gp - officer load: utilisation per unit and incidents per grid,
# sorted bars with 95% CI error bars, and the balance figures.
# data: word 1 = "unit util% lo hi", word 2 = "grid per_day lo hi".
# balance, n_units, n_grids.
eval term_cmd(1000, 440)
set output out
set multiplot layout 1, 2 title title . "\n" . balance font ",12"
unset key
set style fill solid 0.75 border -1
set boxwidth 0.7
set bars 1
set grid ytics noxtics
set xtics rotate by 45 right font ",9"
set yrange [0:*]
set title "各单位利用率 unit utilisation (%)" font ",11"
set ylabel "%"
set xrange [-0.6:n_units - 0.4]
plot word(data, 1) using 0:2:xtic(1) with boxes lc rgb "#0072B2", \
     '' using 0:2:3:4 with yerrorbars lc rgb "#222222" lw 1.5 ps 0
set title "各网格日均警情 incidents per day by grid" font ",11"
set ylabel "incidents/day"
set xrange [-0.6:n_grids - 0.4]
plot word(data, 2) using 0:2:xtic(1) with boxes lc rgb "#009E73", \
     '' using 0:2:3:4 with yerrorbars lc rgb "#222222" lw 1.5 ps 0
unset multiplot
