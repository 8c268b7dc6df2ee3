#include "store/run_identity.h"

#include "gtest/gtest.h"

namespace warden::store {
namespace {

TEST(RunIdentityTest, NewUuidsAreVersion4AndDiffer) {
  const std::string a = NewRunUuid(), b = NewRunUuid();
  ASSERT_EQ(a.size(), 36u);
  EXPECT_EQ(a[8], '-');
  EXPECT_EQ(a[14], '4');
  EXPECT_TRUE(a[19] == '8' || a[19] == '9' || a[19] == 'a' || a[19] == 'b') << a;
  EXPECT_NE(a, b);
}

TEST(RunIdentityTest, DerivedUuidIsStableAndTellsRunsApart) {
  const std::string a = DerivedRunUuid("h", 5, R"(["x"])", 1);
  EXPECT_EQ(a, DerivedRunUuid("h", 5, R"(["x"])", 1));
  EXPECT_NE(a, DerivedRunUuid("h", 5, R"(["x"])", 2));
  EXPECT_NE(a, DerivedRunUuid("g", 5, R"(["x"])", 1));
  EXPECT_EQ(a[14], '8');
}

TEST(RunIdentityTest, LabelsFromHostEnvironmentAndFlagsInThatOrder) {
  auto l = RunLabels("box",
                     {"PATH=/bin", "POD_NAME=shop-7f", "WARDEN_POD_NAMESPACE=prod",
                      "POD_NAMESPACE=ignored", "CONTAINER_IMAGE=", "WARDEN_LABELS=app=shop,tier=web"},
                     {"tier=db", "host=override"});
  ASSERT_TRUE(l.ok()) << l.status();
  EXPECT_EQ(*l, (Labels{{"app", "shop"}, {"host", "override"}, {"namespace", "prod"},
                        {"pod", "shop-7f"}, {"tier", "db"}}));
  EXPECT_EQ(LabelsJson(*l),
            R"({"app":"shop","host":"override","namespace":"prod","pod":"shop-7f","tier":"db"})");
}

TEST(RunIdentityTest, BadLabelsAreRefusedWithTheReason) {
  EXPECT_FALSE(ParseLabel("novalue").ok());
  EXPECT_FALSE(ParseLabel("=v").ok());
  EXPECT_FALSE(ParseLabel("a b=v").ok());
  EXPECT_FALSE(ParseLabel("k=a,b").ok());
  EXPECT_TRUE(ParseLabel("app.kubernetes.io/name=shop").ok());
  EXPECT_TRUE(ParseLabel("k=").ok());
  auto bad = RunLabels("h", {"WARDEN_LABELS=ok=1,broken"}, {});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("WARDEN_LABELS"), std::string_view::npos);
  auto list = ParseLabelList("app=shop,namespace=prod");
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(list->size(), 2u);
}

}  // namespace
}  // namespace warden::store
