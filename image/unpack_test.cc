#include "image/unpack.h"

#include <stdlib.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "image/layout.h"
#include "tests/scratch.h"

namespace warden::image {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

// Images made with python's tarfile, which writes exactly the entries
// asked for (whiteouts, "..", hard links), in a temp directory.
class UnpackTest : public testing::ScratchTest {
 protected:
  void SetUp() override {
    ScratchTest::SetUp();
    dir_ = scratch_;
  }

  // Runs a python script with DIR set to the temp directory.
  void Py(const std::string& script) {
    const std::string file = dir_ + "/make.py";
    std::ofstream(file) << "import io, json, os, tarfile, hashlib\nDIR = " << '"' << dir_ << '"' << "\n"
                        << R"(
def layer(path, entries, gz=False):
    with tarfile.open(path, 'w:gz' if gz else 'w') as t:
        for e in entries:
            name, kind = e[0], e[1]
            info = tarfile.TarInfo(name)
            info.mtime = 1700000000
            if kind == 'dir':
                info.type = tarfile.DIRTYPE; info.mode = 0o755; t.addfile(info)
            elif kind == 'link':
                info.type = tarfile.SYMTYPE; info.linkname = e[2]; t.addfile(info)
            elif kind == 'hard':
                info.type = tarfile.LNKTYPE; info.linkname = e[2]; t.addfile(info)
            else:
                data = e[2].encode(); info.size = len(data); info.mode = e[3] if len(e) > 3 else 0o644
                t.addfile(info, io.BytesIO(data))
)" << script;
    ASSERT_EQ(system(("python3 " + file).c_str()), 0) << script;
  }

  std::string dir_;
};

using testing::Slurp;

// Three layers in a `docker save` archive: files, a symlink and a hard
// link; then a whiteout of a file and an opaque directory; then a file
// put back. What is left is what a container would see.
TEST_F(UnpackTest, DockerSaveLayersWithWhiteoutsAndOpaqueDirectories) {
  Py(R"(
os.makedirs(DIR + '/save/l1'); os.makedirs(DIR + '/save/l2'); os.makedirs(DIR + '/save/l3')
layer(DIR + '/save/l1/layer.tar', [('usr', 'dir'), ('usr/bin', 'dir'), ('usr/bin/tool', 'file', 'v1', 0o755),
      ('bin', 'link', 'usr/bin'), ('etc', 'dir'), ('etc/conf', 'file', 'c'), ('etc/gone', 'file', 'g'),
      ('etc/conf.hard', 'hard', 'etc/conf'), ('opt', 'dir'), ('opt/a', 'file', 'a'), ('opt/b', 'file', 'b')])
layer(DIR + '/save/l2/layer.tar', [('etc', 'dir'), ('etc/.wh.gone', 'file', ''), ('opt', 'dir'),
      ('opt/.wh..wh..opq', 'file', ''), ('opt/new', 'file', 'n')], gz=True)
layer(DIR + '/save/l3/layer.tar', [('etc', 'dir'), ('etc/gone', 'file', 'back')])
json.dump({'config': {'Entrypoint': ['/bin/tool']}}, open(DIR + '/save/config.json', 'w'))
json.dump([{'Config': 'config.json', 'RepoTags': ['app:1'],
            'Layers': ['l1/layer.tar', 'l2/layer.tar', 'l3/layer.tar']}], open(DIR + '/save/manifest.json', 'w'))
with tarfile.open(DIR + '/app.tar', 'w') as t:
    t.add(DIR + '/save', arcname='.')
)");
  fs::create_directory(dir_ + "/scratch");
  auto root = UnpackImage(dir_ + "/app.tar", dir_ + "/scratch");
  ASSERT_TRUE(root.ok()) << root.status();
  EXPECT_EQ(Slurp(*root + "/bin/tool"), "v1");
  EXPECT_EQ(fs::read_symlink(*root + "/bin"), "usr/bin");
  struct stat a, b;
  ASSERT_EQ(stat((*root + "/etc/conf").c_str(), &a), 0);
  ASSERT_EQ(stat((*root + "/etc/conf.hard").c_str(), &b), 0);
  EXPECT_EQ(a.st_ino, b.st_ino);
  EXPECT_EQ(Slurp(*root + "/etc/gone"), "back");   // whited out, then put back
  EXPECT_FALSE(fs::exists(*root + "/opt/a"));        // opaque: the lower layer's entries are gone
  EXPECT_FALSE(fs::exists(*root + "/opt/b"));
  EXPECT_EQ(Slurp(*root + "/opt/new"), "n");         // the opaque layer's own stay
  EXPECT_FALSE(fs::exists(*root + "/etc/.wh.gone"));
  ASSERT_EQ(stat((*root + "/usr/bin/tool").c_str(), &a), 0);
  EXPECT_EQ(a.st_mode & 0777, 0755u);
  EXPECT_EQ(a.st_mtime, 1700000000);
  auto layout = ReadLayout(dir_ + "/scratch/image");
  ASSERT_TRUE(layout.ok()) << layout.status();
  EXPECT_EQ(layout->format, Format::kDockerSave);
  EXPECT_THAT(layout->tags, ::testing::ElementsAre("app:1"));
}

TEST_F(UnpackTest, OciLayoutDirectory) {
  Py(R"(
os.makedirs(DIR + '/oci/blobs/sha256')
def blob(data):
    d = hashlib.sha256(data).hexdigest(); open(DIR + '/oci/blobs/sha256/' + d, 'wb').write(data)
    return {'digest': 'sha256:' + d, 'size': len(data)}
layer(DIR + '/l.tar', [('srv', 'dir'), ('srv/app', 'file', 'hello')], gz=True)
l = blob(open(DIR + '/l.tar', 'rb').read())
c = blob(json.dumps({'config': {'Cmd': ['/srv/app']}}).encode())
m = blob(json.dumps({'schemaVersion': 2, 'config': c, 'layers': [l]}).encode())
m['annotations'] = {'org.opencontainers.image.ref.name': 'latest'}
json.dump({'schemaVersion': 2, 'manifests': [m]}, open(DIR + '/oci/index.json', 'w'))
open(DIR + '/oci/oci-layout', 'w').write('{"imageLayoutVersion": "1.0.0"}')
)");
  fs::create_directory(dir_ + "/scratch");
  auto root = UnpackImage(dir_ + "/oci", dir_ + "/scratch");
  ASSERT_TRUE(root.ok()) << root.status();
  EXPECT_EQ(Slurp(*root + "/srv/app"), "hello");
  auto layout = ReadLayout(dir_ + "/oci");
  ASSERT_TRUE(layout.ok()) << layout.status();
  EXPECT_EQ(layout->format, Format::kOciLayout);
  EXPECT_THAT(layout->tags, ::testing::ElementsAre("latest"));
}

// Untrusted input: an entry with "..", an entry written through a symlink
// a lower layer planted, a manifest naming a file outside the image.
TEST_F(UnpackTest, EscapesAreRefusedWithTheEntryNamed) {
  Py(R"(
layer(DIR + '/dots.tar', [('a', 'dir'), ('a/../../escaped', 'file', 'x')])
layer(DIR + '/plant.tar', [('evil', 'link', '/tmp')])
layer(DIR + '/through.tar', [('evil/escaped2', 'file', 'x')])
os.makedirs(DIR + '/bad'); json.dump([{'Config': '../../etc/passwd', 'Layers': []}], open(DIR + '/bad/manifest.json', 'w'))
)");
  fs::create_directory(dir_ + "/root");
  absl::Status s = ApplyLayer(dir_ + "/dots.tar", dir_ + "/root");
  EXPECT_FALSE(s.ok());
  EXPECT_THAT(std::string(s.message()), HasSubstr("'a/../../escaped'"));
  EXPECT_FALSE(fs::exists(dir_ + "/escaped"));
  ASSERT_TRUE(ApplyLayer(dir_ + "/plant.tar", dir_ + "/root").ok());
  // Through the planted link: never outside the root (libarchive replaces
  // the link on the way with a directory, as the layer's own tree says).
  s = ApplyLayer(dir_ + "/through.tar", dir_ + "/root");
  EXPECT_FALSE(fs::exists("/tmp/escaped2"));
  if (s.ok()) {
    EXPECT_TRUE(fs::is_regular_file(fs::symlink_status(dir_ + "/root/evil/escaped2")));
  }
  auto layout = ReadLayout(dir_ + "/bad");
  EXPECT_FALSE(layout.ok());
  EXPECT_THAT(std::string(layout.status().message()), HasSubstr("outside the image"));
  EXPECT_FALSE(ReadLayout(dir_).ok());  // neither kind
}

}  // namespace
}  // namespace warden::image
