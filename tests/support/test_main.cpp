// The one Boost.Test module definition, linked into every test executable.
#define BOOST_TEST_MODULE dps
#include <boost/test/unit_test.hpp>
