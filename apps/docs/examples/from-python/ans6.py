# ans6.py: Python's Ans6, for comparison. Run with `python3 ans6.py`.
import multiprocessing

def print_num(num):
    print("Number:", num)

if __name__ == '__main__':
    processes = [multiprocessing.Process(target=print_num, args=(n,)) for n in (1, 2, 3, 4)]
    for p in processes:
        p.start()
    for p in processes:
        p.join()

# Two processes can write into one line here ("Number:Number: 2"), as in the original notebook.
# Output (may interleave):
# Number: 1
# Number: 2
# Number: 3
# Number: 4
