# frozen_string_literal: true

# Stand-in gem source for the ruby stand-in (see ruby.sh and docs/standins.md).
#
#   ruby ruby-repack.rb OUT_DIR
#
# RubyGems.org is not reachable here, so the gems Debian installed (packages ruby-sinatra, puma,
# ...) are repacked into .gem files and OUT_DIR becomes a static gem source in the classic
# "Marshal" layout that RubyGems and Bundler read over file:// (what `gem generate_index` wrote;
# that command now lives in a gem of its own, so the few index files are written here):
#   OUT_DIR/gems/NAME-VERSION.gem
#   OUT_DIR/specs.4.8.gz, latest_specs.4.8.gz, prerelease_specs.4.8.gz
#   OUT_DIR/quick/Marshal.4.8/NAME-VERSION.gemspec.rz
#
# Which gems: every installed non-default gem (Debian's packages and Ruby's bundled gems), plus
# the pure-Ruby default gems without executables (Bundler fetches a default gem such as logger
# from the source when a lockfile names it). Bundler and rubygems-update are left out.
#
# Native gems (puma, nio4r): Debian installs the compiled extension but not its C sources, and
# the sources are not reachable. Such a gem is repacked as a "ruby" platform gem whose
# ext/.../extconf.rb still runs mkmf's compiler check (so, as with the real gem, installing it
# needs the Ruby headers, a C compiler and make: build-essential) and whose Makefile installs
# Debian's prebuilt extension (built for this very Ruby) instead of compiling it. The gem, its
# name, version, platform and dependencies are those of the real one, so lockfiles match.

require "fileutils"
require "rubygems/package"
require "tmpdir"
require "zlib"

out = File.expand_path(ARGV.fetch(0) { abort "usage: ruby ruby-repack.rb OUT_DIR" })
FileUtils.mkdir_p(File.join(out, "gems"))
FileUtils.mkdir_p(File.join(out, "quick", "Marshal.4.8"))

SKIP = %w[bundler rubygems-update].freeze
Gem::DefaultUserInteraction.ui = Gem::SilentUI.new
seen = {}
built = []
skipped = []

def all_files(dir)
  Dir.glob("**/*", File::FNM_DOTMATCH, base: dir)
     .reject { |f| File.basename(f).start_with?(".") && File.basename(f).match?(/\A\.\.?\z/) }
     .select { |f| File.file?(File.join(dir, f)) }
     .sort
end

EXTCONF = <<~'RUBY'
  # Stand-in extconf.rb (scripts/standins/ruby-repack.rb): the C sources of this gem are not
  # reachable offline, so Debian's prebuilt extension (compiled for this Ruby) is installed.
  # As for the real gem, this needs the Ruby headers, a working C compiler and make.
  require "mkmf"
  abort "ruby.h not usable: install a C compiler (e.g. build-essential)" unless have_header("ruby.h")
  find_executable("make") or abort "make not found: install build-essential"
  prebuilt = File.join(__dir__, "prebuilt")
  installs = Dir.glob("**/*.so", base: prebuilt).map do |so|
    dest = File.dirname(so) == "." ? "$(DESTDIR)$(sitearchdir)" : "$(DESTDIR)$(sitearchdir)/#{File.dirname(so)}"
    "\t$(MKDIR_P) #{dest}\n\t$(INSTALL_PROG) #{File.join(prebuilt, so)} #{dest}/\n"
  end
  File.write("Makefile", <<~MAKE)
    SHELL = /bin/sh
    DESTDIR =
    sitearchdir = #{RbConfig::CONFIG["sitearchdir"]}
    sitelibdir = #{RbConfig::CONFIG["sitelibdir"]}
    MKDIR_P = mkdir -p
    INSTALL_PROG = install -m 0755
    all:
    clean:
    install:
    #{installs.join}
  MAKE
RUBY

Gem::Specification.each do |installed|
  next if SKIP.include?(installed.name) || seen[installed.full_name]

  seen[installed.full_name] = true

  spec = installed.dup
  Dir.mktmpdir("repack") do |tmp|
    if installed.default_gem?
      if installed.extensions.any? || installed.executables.any?
        skipped << "#{installed.full_name} (default gem with extension or executables)"
        next
      end
      lib = RbConfig::CONFIG["rubylibdir"]
      files = installed.files.map { |f| [f, File.join(lib, f)] }
      if files.empty? || files.any? { |_, src| !File.file?(src) }
        skipped << "#{installed.full_name} (default gem files not all found in #{lib})"
        next
      end
      files.each do |rel, src|
        FileUtils.mkdir_p(File.join(tmp, "lib", File.dirname(rel)))
        FileUtils.cp(src, File.join(tmp, "lib", rel))
      end
      spec.require_paths = ["lib"]
    else
      unless File.directory?(installed.gem_dir)
        skipped << "#{installed.full_name} (no gem directory #{installed.gem_dir})"
        next
      end
      FileUtils.cp_r(File.join(installed.gem_dir, "."), tmp)
      if installed.extensions.any?
        sos = Dir.glob("**/*.so", base: installed.extension_dir)
        if sos.empty?
          skipped << "#{installed.full_name} (native, no prebuilt extension in #{installed.extension_dir})"
          next
        end
        # One shim extconf.rb (the first declared path) installs all prebuilt files.
        ext = installed.extensions.first
        dir = File.join(tmp, File.dirname(ext))
        FileUtils.mkdir_p(File.join(dir, "prebuilt"))
        sos.each do |so|
          FileUtils.mkdir_p(File.join(dir, "prebuilt", File.dirname(so)))
          FileUtils.cp(File.join(installed.extension_dir, so), File.join(dir, "prebuilt", so))
          # A copy inside lib/ from the gem directory would shadow the installed one.
          FileUtils.rm_f(File.join(tmp, "lib", so))
        end
        File.write(File.join(tmp, ext), EXTCONF)
        spec.extensions = [ext]
      end
    end
    spec.files = all_files(tmp)
    spec.signing_key = nil
    spec.cert_chain = []
    spec.loaded_from = nil
    file = Dir.chdir(tmp) { Gem::Package.build(spec, true) }
    FileUtils.mv(File.join(tmp, file), File.join(out, "gems", file))
    built << spec
  end
end

abort "ruby-repack: no gem was repacked" if built.empty?

# The index, as Gem::Indexer wrote it.
def tuple(spec) = [spec.name, spec.version, spec.original_platform.to_s]

def write_gz(path, obj)
  Zlib::GzipWriter.open(path) { |gz| gz.write(Marshal.dump(obj)) }
end

released, prerelease = built.partition { |s| !s.version.prerelease? }
latest = released.group_by { |s| [s.name, s.original_platform.to_s] }.map { |_, l| l.max_by(&:version) }
write_gz(File.join(out, "specs.4.8.gz"), released.map { |s| tuple(s) }.sort_by { |t| [t[0], t[1], t[2]] })
write_gz(File.join(out, "latest_specs.4.8.gz"), latest.map { |s| tuple(s) }.sort_by { |t| [t[0], t[1], t[2]] })
write_gz(File.join(out, "prerelease_specs.4.8.gz"), prerelease.map { |s| tuple(s) })
built.each do |spec|
  gem = Gem::Package.new(File.join(out, "gems", "#{spec.file_name}"))
  packed = gem.spec
  packed.abbreviate
  packed.sanitize
  File.binwrite(File.join(out, "quick", "Marshal.4.8", "#{spec.file_name.delete_suffix('.gem')}.gemspec.rz"),
                Gem.deflate(Marshal.dump(packed)))
end

File.write(File.join(out, "GEMS.txt"), built.map(&:full_name).sort.join("\n") + "\n")
File.write(File.join(out, "SKIPPED.txt"), skipped.sort.join("\n") + "\n")
warn "ruby-repack: #{built.size} gems repacked into #{out}, #{skipped.size} skipped (see SKIPPED.txt)"
