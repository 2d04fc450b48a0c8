# ans3.py: Python's Ans3, for comparison. Run with `python3 ans3.py`.
import multiprocessing

def my_process():
    print("This is my process.")

if __name__ == '__main__':
    p = multiprocessing.Process(target=my_process)
    p.start()
    p.join()

# Output:
# This is my process.
