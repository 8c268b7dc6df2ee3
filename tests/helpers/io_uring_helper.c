// Sets up an io_uring: a channel whose opens and connects no syscall shows.
#include <linux/io_uring.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <string.h>
int main(){struct io_uring_params p; memset(&p,0,sizeof p); long fd=syscall(SYS_io_uring_setup, 4, &p); return fd>=0?0:1;}
