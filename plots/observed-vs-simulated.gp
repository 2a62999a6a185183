# observed-vs-simulated.gp - observed (from a replayed CAD log) against
# simulated timings, from the summary.csv of `patrolsim run --out DIR`:
# received -> arrived, received -> dispatched and dispatched -> arrived, each
# as median, mean and 90th percentile, one pair of bars per figure.
#
#   patrolsim run scenarios/slo-replay --out results/slo-replay
#   gnuplot -e "summary='results/slo-replay/summary.csv'" \
#           -e "out='scenarios/slo-replay/observed-vs-simulated.png'" \
#           plots/observed-vs-simulated.gp
#
# Simulated bars carry the 95% confidence half-width across replications.
if (!exists("summary")) summary = "results/slo-replay/summary.csv"
if (!exists("out")) out = "observed-vs-simulated.png"
if (!exists("title")) title = "observed (CAD log) vs simulated: received→arrived, received→dispatched, dispatched→arrived"

# Column 4 is the mean over replications, column 7 its half-width.
field(sec, met, col) = system(sprintf("awk -F, '$1 == \"%s\" && $2 == \"%s\" { print $%d }' '%s'", \
                                      sec, met, col, summary))
set print $data
do for [what in "response wait travel"] {
    label = what eq "response" ? "rec→arr" : what eq "wait" ? "rec→disp" : "disp→arr"
    do for [stat in "p50 mean p90"] {
        name = stat eq "p50" ? "median" : stat
        print sprintf("\"%s\\n%s\" %s %s %s", label, name, \
                      field("observed", sprintf("observed_%s_%s_min", what, stat), 4), \
                      field("all", sprintf("%s_%s_min", what, stat), 4), \
                      field("all", sprintf("%s_%s_min", what, stat), 7))
    }
}
unset print

set terminal pngcairo size 1000,480 font "sans,10"
set output out
set title title
set style data histograms
set style histogram errorbars gap 1 lw 1
set style fill solid 0.8 border -1
set boxwidth 0.9
set ylabel "minutes"
set yrange [0:*]
set grid ytics
set key top left
set xtics font "sans,8"
plot $data using 2:(0):xtic(1) title "observed" lc rgb "#4a6fa5", \
     ''    using 3:4 title "simulated (± 95% CI)" lc rgb "#d9822b"
