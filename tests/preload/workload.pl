# Allocation-heavy Perl workload for tests/preload/perl.sh. Deterministic
# output: a fixed pseudo-random generator, sorted hash keys, digests.
# If PRELOAD_TEST_MAPS is set, the process also copies its own /proc/self/maps
# there (not to stdout).
use strict;
use warnings FATAL => "all";
use Digest::MD5 qw(md5_hex);
use Config;

my $seed = 12345;
sub rnd { $seed = ($seed * 1103515245 + 12345) % 2147483648; return ($seed >> 16) % $_[0]; }
sub word {
	my $len = 1 + rnd($_[0] // 20);
	return join '', map { chr(97 + rnd(26)) } 1 .. $len;
}
sub report { print join(' ', @_), "\n"; }
sub dig { return substr(md5_hex(join("\x1f", @_)), 0, 16); }

# hashes: build, delete, re-add, nested
my %h;
for my $i (1 .. 100_000) {
	$h{ word(12) . "-$i" } = [ $i, word(30), { n => $i } ];
}
my @keys = sort keys %h;
delete @h{ grep { /^[a-f]/ } @keys };
$h{"extra$_"} = "x" x ($_ % 500) for 1 .. 30_000;
my %by_len;
push @{ $by_len{ length $_ } }, $_ for keys %h;
report('hashes', scalar(keys %h), dig(map { "$_=" . scalar(@{ $by_len{$_} }) } sort { $a <=> $b } keys %by_len),
	dig(@keys[ map { $_ * 97 } 0 .. 1000 ]));
undef %h;
undef %by_len;

# arrays: push/shift/unshift/splice/sort
my @a = map { rnd(1_000_000) } 1 .. 300_000;
my @sorted = sort { $a <=> $b } @a;
my @st = map { $_->[1] } sort { $a->[0] cmp $b->[0] or $a->[1] <=> $b->[1] } map { [ sprintf('%x', $_), $_ ] } @a[ 0 .. 49_999 ];
my @q;
for my $i (1 .. 100_000) { push @q, $i; unshift @q, -$i if $i % 3 == 0; shift @q if $i % 5 == 0; }
splice(@q, 1000, 20_000, (7) x 5000);
my @rev = reverse @sorted;
report('arrays', scalar(@a), dig(@sorted[ map { $_ * 293 } 0 .. 1000 ]), dig(@st[ 0 .. 500 ]), scalar(@q), dig(@q[ 0 .. 2000 ]), $rev[0]);
undef @a; undef @sorted; undef @st; undef @q; undef @rev;

# strings: building, regexes, substitutions, split/join, sprintf, tr, pack
my $text = '';
$text .= word(15) . (rnd(10) ? ' ' : "\n") for 1 .. 150_000;
my @lines = split /\n/, $text;
my $count_vowels = ($text =~ tr/aeiou//);
(my $upper = $text) =~ tr/a-z/A-Z/;
my @matches = $text =~ /\b([b-d]\w{3,6}[x-z])\b/g;
(my $subst = $text) =~ s/(\w+)(\s+)(\w+)/$3$2$1/g;
my $n_subst = ($subst =~ s/([aeiou])\1/<$1$1>/g) || 0;
my %freq;
$freq{$_}++ for split /\s+/, $text;
my @top = (sort { $freq{$b} <=> $freq{$a} or $a cmp $b } keys %freq)[ 0 .. 9 ];
my $fmt = join '', map { sprintf("%08d:%-10s:%6.2f\n", $_, word(8), $_ / 7) } 1 .. 50_000;
my $packed = pack('(N n/a*)*', map { ($_, word(10)) } 1 .. 20_000);
my @unpacked = unpack('(N n/a*)*', $packed);
my $big = 'abc' x 3_000_000;
substr($big, 1_000_000, 3, 'XYZ' x 1000);
my $join = join ',', map { "$_" } 1 .. 200_000;
report('strings', length($text), scalar(@lines), $count_vowels, dig($upper), scalar(@matches), dig(@matches),
	dig($subst), $n_subst, join('/', @top), dig($fmt), length($packed), scalar(@unpacked), length($big), dig($join));
undef $text; undef $upper; undef $subst; undef $fmt; undef $big;

# closures and nested structures, then freeing them out of order
my @subs = map { my $i = $_; sub { return $i * $_[0] . word(5) } } 1 .. 50_000;
my $acc = 0;
$acc += length($_->(3)) for @subs;
my $tree = {};
for my $i (1 .. 100_000) {
	my $node = $tree;
	$node = ($node->{ rnd(8) } //= {}) for 1 .. 4;
	push @{ $node->{items} }, $i;
}
my $leaves = 0;
my @stack = ($tree);
while (my $n = pop @stack) {
	for my $k (sort keys %$n) {
		if ($k eq 'items') { $leaves += @{ $n->{items} } } else { push @stack, $n->{$k} }
	}
}
report('closures', $acc, $leaves);
undef @subs; undef $tree;

# fork: the child builds a hash and reports through a pipe
pipe(my $r, my $w) or die "pipe: $!";
my $pid = fork() // die "fork: $!";
if ($pid == 0) {
	close $r;
	my %c = map { ($_ => [ ($_) x ($_ % 11) ]) } 1 .. 100_000;
	print $w dig(map { "$_:" . scalar(@{ $c{$_} }) } sort { $a <=> $b } keys %c), "\n";
	close $w;
	exit 0;
}
close $w;
my $child = <$r>;
close $r;
waitpid($pid, 0);
chomp $child;
report('fork', $child, $? >> 8);

# threads, when this perl has them
if ($Config{useithreads}) {
	require threads;
	my @t = map {
		my $id = $_;
		threads->create(sub {
			my %x = map { ($_ => $_ * $id) } 1 .. 20_000;
			my $s = join '', map { $x{$_} } sort { $a <=> $b } keys %x;
			return dig($s);
		});
	} 1 .. 4;
	report('threads', map { $_->join } @t);
} else {
	report('threads', 'none');
}

if (my $out = $ENV{PRELOAD_TEST_MAPS}) {
	open(my $in, '<', '/proc/self/maps') or die "maps: $!";
	open(my $o, '>', $out) or die "$out: $!";
	print $o $_ while <$in>;
	close $o;
}
report('done', 'ok');
