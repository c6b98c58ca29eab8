# bench/plot.gp - one clustered bar chart: a bar per allocator per workload.
#
#   gnuplot -e "datafile='F'; out='BASE'; ylab='LABEL'; heading='TITLE'" bench/plot.gp
#
# The data file has a header line (workload, then one column per allocator)
# and one row per workload holding ratios to the best allocator (1 = best;
# "-" where a run failed).  Writes BASE.png and BASE.svg.  The y axis is
# logarithmic, since ratios range from 1 to more than 10.

set datafile missing "-"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set logscale y 2
set yrange [0.8:*]
set grid ytics
set ylabel ylab
set title heading
set xtics rotate by 45 right nomirror
set key top left horizontal
set format y "%g"

rows = system(sprintf("awk 'NR > 1' '%s' | wc -l", datafile)) + 0
width = rows * 70 + 300
if (width < 900) width = 900

do for [fmt in "png svg"] {
    if (fmt eq "png") {
        set terminal pngcairo size width, 560 font ",10"
    } else {
        set terminal svg size width, 560 dynamic font ",10"
    }
    set output out . "." . fmt
    plot for [i=2:*] datafile using i:xtic(1) title columnheader(i)
    set output
}
