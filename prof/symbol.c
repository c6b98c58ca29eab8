/*
 * symbol.c - an address as module+offset and, where the module's symbol
 * table says, the function it is in: for the leak report and the stacks
 * of error reports.
 *
 * Nothing here allocates or takes a lock of ours: the module comes from
 * dl_iterate_phdr (the loader's lock only), and the function name is read
 * from the module's file with pread into buffers on the stack (.symtab
 * when the file has one, else .dynsym). Slow - a scan of the symbol table
 * per address - which is fine for reports printed once.
 */
#define _GNU_SOURCE
#include <elf.h>
#include <fcntl.h>
#include <link.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

struct find_arg {
	uintptr_t pc;
	struct sym *s;
	bool found;
};

static int find_module(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct find_arg *f = arg;
	(void)size;
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		uintptr_t a = info->dlpi_addr + ph->p_vaddr;
		if (ph->p_type != PT_LOAD || f->pc < a || f->pc >= a + ph->p_memsz)
			continue;
		const char *name = info->dlpi_name;
		size_t len = name ? strlen(name) : 0;
		if (len >= sizeof(f->s->module))
			len = sizeof(f->s->module) - 1;
		memcpy(f->s->module, name ? name : "", len);
		f->s->module[len] = 0;
		f->s->offset = f->pc - info->dlpi_addr;
		f->found = true;
		return 1;
	}
	return 0;
}

static bool read_at(int fd, void *buf, size_t len, uint64_t off)
{
	return pread(fd, buf, len, (off_t)off) == (ssize_t)len;
}

/* The section of type `type` and its string table. */
static bool find_symtab(int fd, const Elf64_Ehdr *eh, unsigned type, Elf64_Shdr *tab, Elf64_Shdr *str)
{
	for (unsigned i = 0; i < eh->e_shnum; i++) {
		if (!read_at(fd, tab, sizeof(*tab), eh->e_shoff + (uint64_t)i * eh->e_shentsize))
			return false;
		if (tab->sh_type == type && tab->sh_link < eh->e_shnum && tab->sh_entsize == sizeof(Elf64_Sym))
			return read_at(fd, str, sizeof(*str),
				       eh->e_shoff + (uint64_t)tab->sh_link * eh->e_shentsize);
	}
	return false;
}

/* The function symbol of tab holding address a, or st_name 0. */
static Elf64_Sym best_symbol(int fd, const Elf64_Shdr *tab, uint64_t a)
{
	Elf64_Sym buf[128], best = { 0 };
	uint64_t n = tab->sh_size / sizeof(Elf64_Sym);
	for (uint64_t i = 0; i < n; i += 128) {
		size_t k = n - i < 128 ? (size_t)(n - i) : 128;
		if (!read_at(fd, buf, k * sizeof(Elf64_Sym), tab->sh_offset + i * sizeof(Elf64_Sym)))
			break;
		for (size_t j = 0; j < k; j++) {
			const Elf64_Sym *y = &buf[j];
			if (ELF64_ST_TYPE(y->st_info) != STT_FUNC || y->st_shndx == SHN_UNDEF)
				continue;
			if (a >= y->st_value && a < y->st_value + (y->st_size ? y->st_size : 1))
				return *y;
		}
	}
	return best;
}

static void function_name(const char *path, uint64_t a, char *name, size_t cap)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	Elf64_Ehdr eh;
	Elf64_Shdr tab, str;
	name[0] = 0;
	if (fd < 0)
		return;
	if (read_at(fd, &eh, sizeof(eh), 0) && memcmp(eh.e_ident, ELFMAG, SELFMAG) == 0 &&
	    eh.e_ident[EI_CLASS] == ELFCLASS64 && eh.e_shentsize == sizeof(Elf64_Shdr) &&
	    (find_symtab(fd, &eh, SHT_SYMTAB, &tab, &str) ||
	     find_symtab(fd, &eh, SHT_DYNSYM, &tab, &str))) {
		Elf64_Sym y = best_symbol(fd, &tab, a);
		ssize_t r = y.st_name ? pread(fd, name, cap - 1, (off_t)(str.sh_offset + y.st_name)) : 0;
		name[r > 0 ? (size_t)r : 0] = 0;
		name[cap - 1] = 0;
	}
	close(fd);
}

/* False when no loaded module holds pc. */
bool sym_lookup(uintptr_t pc, struct sym *s)
{
	struct find_arg f = { pc, s, false };
	char path[sizeof(s->module)];
	s->name[0] = 0;
	dl_iterate_phdr(find_module, &f);
	if (!f.found)
		return false;
	const char *file = s->module;
	if (!s->module[0]) {	/* the main program */
		ssize_t n = readlink("/proc/self/exe", path, sizeof(path) - 1);
		path[n > 0 ? (size_t)n : 0] = 0;
		memcpy(s->module, path, sizeof(path));
	}
	function_name(file, s->offset, s->name, sizeof(s->name));
	return true;
}

/* "    #3 0x... name (module+0x...)\n"; pc is a return address, so the
 * call is looked up at pc - 1. */
void sym_print_frame(struct out *o, unsigned index, uintptr_t pc)
{
	struct sym s;
	out_str(o, "    #");
	out_u64(o, index);
	out_str(o, " ");
	out_hex(o, pc);
	if (!sym_lookup(pc - 1, &s)) {
		out_str(o, "\n");
		return;
	}
	out_str(o, " ");
	out_str(o, s.name[0] ? s.name : "??");
	out_str(o, " (");
	const char *base = strrchr(s.module, '/');
	out_str(o, base ? base + 1 : s.module);
	out_str(o, "+");
	out_hex(o, s.offset + 1);
	out_str(o, ")\n");
}
