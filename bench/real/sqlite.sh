#!/usr/bin/env bash
# sqlite - the sqlite3 shell on an in-memory database: bulk insert of rows
# with strings and blobs of varying length, an index, grouping, a self-join,
# updates that grow rows, deletes, and VACUUM, all in memory (the page cache
# and temporary b-trees are malloc'ed).  The row contents follow formulas, so
# the counts and total lengths the database reports are checked against the
# same formulas computed here by awk.
set -u
. "$(dirname "$0")/share/common.bash"
real_init sqlite "$@"

rows=$(pick 2000 80000 400000)
check_binding sqlite3 -version || { result 0 0; exit 1; }

# row i: s = 'row-' || i || '-' followed by (i*37)%200+1 zeros; b = (i%300)+1 bytes
cat >"$REAL_TMP/work.sql" <<SQL
PRAGMA temp_store = MEMORY;
PRAGMA cache_size = -262144;
CREATE TABLE t(id INTEGER PRIMARY KEY, k INTEGER, s TEXT, b BLOB);
WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < $rows)
INSERT INTO t SELECT i, (i * 7919) % 1000,
	'row-' || i || '-' || substr(hex(zeroblob((i * 37) % 200 + 1)), 1, (i * 37) % 200 + 1),
	zeroblob(i % 300 + 1) FROM c;
CREATE INDEX t_k ON t(k, s);
SELECT 'loaded', count(*), sum(length(s)), sum(length(b)) FROM t;
SELECT 'groups', count(*) FROM (SELECT k, count(*), max(s) FROM t GROUP BY k);
SELECT 'pairs', count(*) FROM t a JOIN t b ON a.k = b.k AND b.id > a.id AND b.id <= a.id + 3000;
UPDATE t SET s = s || s WHERE id % 3 = 0;
DELETE FROM t WHERE id % 5 = 0;
SELECT 'final', count(*), sum(length(s)), sum(length(b)) FROM t;
SELECT 'sorted', count(*) FROM (SELECT s FROM t ORDER BY s DESC);
VACUUM;
SQL

awk -v n="$rows" 'BEGIN {
	for (i = 1; i <= n; i++) {
		ls = 5 + length(i "") + (i * 37) % 200 + 1; lb = i % 300 + 1
		c++; s += ls; b += lb
		if (i % 5) { fc++; fs += (i % 3 ? ls : 2 * ls); fb += lb }
	}
	print "loaded|" c "|" s "|" b
	print "groups|" (n < 1000 ? n : 1000)
	print "final|" fc "|" fs "|" fb
	print "sorted|" fc
}' >"$REAL_TMP/want"

t0=$(now)
sqlite3 -batch -bail :memory: <"$REAL_TMP/work.sql" >"$REAL_TMP/got" 2>"$REAL_TMP/err"
rc=$?
t1=$(now)
expect "sqlite3 exit status" "$rc" 0
[ -s "$REAL_TMP/err" ] && head -5 "$REAL_TMP/err" >&2
for what in loaded groups final sorted; do
	expect "$what" "$(grep "^$what|" "$REAL_TMP/got")" "$(grep "^$what|" "$REAL_TMP/want")"
done
pairs=$(grep '^pairs|' "$REAL_TMP/got" | cut -d'|' -f2)
secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f", b - a }')
result "$rows" "$secs" "join_pairs=${pairs:-0}"
