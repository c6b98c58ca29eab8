#!/usr/bin/env bash
# Debian's git works on a scratch repository: init, add, ~30 commits with
# edits, renames and deletions, a branch and a --no-ff merge, an annotated
# tag, log/diff/blame/grep/shortlog/ls-tree, format-patch + clone + am, gc
# and fsck. Done twice, every git process plain or every one preloaded;
# authors, committers, dates and time zone are fixed, so the hashes are too.
# Compared: the whole stdout (logs, diffs, hashes), the stderr with the scratch
# path replaced, every command's success.
# Loaded: the last step is a `git commit -F /proc/self/maps` on a side branch:
# that git process's own maps become the commit message, read back to a file.
# shellcheck source=tests/preload/common.bash
. "$(dirname "$0")/common.bash"

git_bin=/usr/bin/git

# workload DIR: the git session; `g` is git, plain or preloaded.
workload() {
	local dir=$1 i f
	set -e
	mkdir -p "$dir/repo" && cd "$dir/repo"
	g init -q -b main .
	g config core.autocrlf false
	g config gc.auto 0
	local letters=abcdefghijklmnopqrstuvwxyz pad
	for ((i = 0; i < 200; i++)); do
		mkdir -p "dir$((i % 10))"
		for ((f = 0; f < 20 + i % 30; f++)); do
			printf -v pad '%*s' $(((i * f) % 50)) ''
			echo "file $i line $f: ${pad// /${letters:$(((i + f) % 26)):1}}"
		done >"dir$((i % 10))/file$i.txt"
	done
	g add -A
	at=1700000000
	commit() { at=$((at + 3600)); GIT_AUTHOR_DATE="@$at +0000" GIT_COMMITTER_DATE="@$at +0000" g commit -q "$@"; }
	commit -m "initial import of 200 files"
	for ((i = 1; i <= 24; i++)); do
		for ((f = i; f < 200; f += 17)); do
			[ -f "dir$((f % 10))/file$f.txt" ] || continue
			sed -i "s/line $((i % 20)):/line $((i % 20)) (edit $i):/" "dir$((f % 10))/file$f.txt"
			echo "appended by commit $i" >>"dir$((f % 10))/file$f.txt"
		done
		f=dir$((i % 10))/file$i.txt
		if ((i % 5 == 0)) && [ -f "$f" ]; then g mv "$f" "dir$((i % 10))/renamed$i.txt"; fi
		f=dir$(((i + 3) % 10))/file$((i + 3)).txt
		if ((i % 4 == 0)) && [ -f "$f" ]; then g rm -q "$f"; fi
		printf 'new file of commit %d\n%.0s' "$i" {1..40} >"dir$((i % 10))/new$i.txt"
		g add -A
		commit -m "commit $i: edit $(((200 - i) / 17 + 1)) files" -m "Longer description of change $i."
	done
	g checkout -q -b feature HEAD~6
	for ((i = 1; i <= 5; i++)); do
		echo "feature line $i" >>dir3/feature.txt
		g add dir3/feature.txt
		commit -m "feature $i"
	done
	g checkout -q main
	GIT_AUTHOR_DATE="@$((at + 60)) +0000" GIT_COMMITTER_DATE="@$((at + 60)) +0000" \
		g merge -q --no-ff -m "merge feature" feature
	at=$((at + 60))
	GIT_COMMITTER_DATE="@$((at + 1)) +0000" g tag -a v1.0 -m "release 1.0"

	echo "== rev-parse"; g rev-parse HEAD HEAD~10 v1.0 'v1.0^{commit}' feature
	echo "== rev-list"; g rev-list --count HEAD; g rev-list --all --objects | wc -l
	echo "== log"; g log --format=fuller --stat --graph --decorate
	echo "== log -p"; g log -p -n 8 --no-color
	echo "== diff"; g diff --no-color HEAD~20 HEAD --stat; g diff --no-color -M HEAD~20 HEAD
	echo "== word diff"; g diff --no-color --word-diff HEAD~3 HEAD -- dir1 dir2
	echo "== blame"; g blame -s dir3/file3.txt; g blame --line-porcelain dir1/file1.txt | grep -v '^\(author\|committer\)-time'
	# (no pipes into head: a git killed by SIGPIPE would fail the session)
	echo "== grep"; g grep -n -e 'edit 1[0-9]' --and -e 'line 1' >../grep.out; head -n 100 ../grep.out
	echo "== shortlog"; g shortlog -s -n --all; g shortlog HEAD~5..HEAD
	echo "== ls-tree"; g ls-tree -r -l HEAD >../ls-tree.out; wc -l <../ls-tree.out; head -n 300 ../ls-tree.out
	echo "== cat-file"; g cat-file -p HEAD; g cat-file -p v1.0; g cat-file --batch-check --batch-all-objects | sort
	echo "== describe"; g describe --tags; g name-rev HEAD~3
	echo "== format-patch"; g format-patch --stdout -8 HEAD~1 >../series.mbox; wc -l <../series.mbox
	grep -c '^From [0-9a-f]\{40\}' ../series.mbox
	echo "== clone + am"
	g clone -q --no-local "$dir/repo" "$dir/clone"
	(cd "$dir/clone" && g checkout -q -b replay HEAD~9 &&
		GIT_COMMITTER_DATE="@$((at + 7)) +0000" g am -q --whitespace=nowarn --committer-date-is-author-date ../series.mbox &&
		g log --format='%H %s' -n 9 && g diff --stat main replay)
	echo "== gc"
	g gc -q --aggressive --prune=now
	g count-objects -v | grep -E '^(count|in-pack|packs|garbage):'
	g fsck --full --no-progress --strict
	g verify-pack -s .git/objects/pack/*.idx | sort | grep -v 'chain length' | sed 's/^non delta: [0-9]* objects$/non delta: N objects/'
	echo "== status"; g status --porcelain=v2 --branch
	echo "== done"
}

for mode in plain preloaded; do
	start=$SECONDS
	(
		export HOME=$tmp/$mode-home GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
		export GIT_AUTHOR_NAME="A U Thor" GIT_AUTHOR_EMAIL=author@example.com
		export GIT_COMMITTER_NAME="C O Mitter" GIT_COMMITTER_EMAIL=committer@example.com
		export GIT_AUTHOR_DATE="@1700000000 +0000" GIT_COMMITTER_DATE="@1700000000 +0000"
		export TZ=UTC LC_ALL=C GIT_PAGER=cat PAGER=cat GIT_TERMINAL_PROMPT=0 GIT_EDITOR=true
		unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE
		mkdir -p "$HOME"
		# Every git process of the session, and only those, get the mode.
		g() { $mode "$git_bin" "$@"; }
		workload "$tmp/$mode"
		# The load proof: this commit's message is its git process's maps.
		cd "$tmp/$mode/repo"
		g checkout -q -b maps
		g commit -q --allow-empty -F /proc/self/maps
		g log -1 --format=%B >"$tmp/$mode.maps"
	) >"$tmp/$mode.out" 2>"$tmp/$mode.err"
	rc=$?
	[ $rc -eq 0 ] || { fail "the git session ($mode) failed with status $rc"; tail -n 20 "$tmp/$mode.err"; }
	note "$mode run: $((SECONDS - start)) s"
	sed -e "s|$tmp/$mode|<DIR>|g" "$tmp/$mode.err" | scrub_paths >"$tmp/$mode.err.norm"
done

same "stdout" "$tmp/plain.out" "$tmp/preloaded.out"
same "stderr" "$tmp/plain.err.norm" "$tmp/preloaded.err.norm"
check_stderr "git" "$tmp/preloaded.err"
[ "$(tail -n 1 "$tmp/preloaded.out")" = "== done" ] || fail "the preloaded git session did not reach its end"
check_no_maps "plain git" "$tmp/plain.maps"
check_maps "git commit" "$tmp/preloaded.maps"
finish
